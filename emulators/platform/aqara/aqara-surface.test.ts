import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { SdkInitParamsSchema } from "../../../harness/protocol/aqara/envelope.ts";
import type { Platform } from "../platform.ts";
import { GATEWAY, PLUG, startTestPlatform } from "../testing/fixtures.ts";
import { AQARA_INTENTS } from "./intents.ts";
import { aqaraClient } from "./testing/aqara-client.ts";

/**
 * The Aqara-style open API: the UI-SDK's initialization answers every documented field, its token works for a
 * protected intent until `expiresIn` passes on the platform's clock or until its expiry is notified, asking again
 * renews it; each refusal has its code and names its header or field.
 */

const APP = { appId: "hilfarm-app-1", keyId: "key-1", appKey: "0123456789abcdef0123456789abcdef" };
const EXPIRES_IN_S = 60;
const clock = new VirtualClock();
let platform: Platform;
let client: ReturnType<typeof aqaraClient>;
let http = "";

beforeAll(async () => {
  platform = await startTestPlatform(clock, {
    aqara: { apps: [APP], expiresInS: EXPIRES_IN_S, sdk: { positionId: "lab.1" } },
  });
  http = platform.addresses.surfaces.aqara?.http ?? "";
  client = aqaraClient(platform.addresses.surfaces.aqara?.api ?? "", APP, clock);
});
afterAll(async () => {
  await platform.close();
});

const { sdkInit, tokenExpired, deviceInfo } = AQARA_INTENTS;

async function newToken(): Promise<string> {
  const answer = await client.call(sdkInit);
  expect(answer.code).toBe(0);
  return String(answer.result?.token);
}

describe("the UI-SDK initialization and its token", () => {
  it("answers every documented field; appRequestDomain is the surface, appKey is not the signing key", async () => {
    const answer = await client.call(sdkInit);
    expect(answer).toMatchObject({ status: 200, code: 0, message: "Success", msgDetails: null });
    expect(answer.requestId).toMatch(/^[0-9a-f]{32}$/);
    const params = SdkInitParamsSchema.parse(answer.result);
    expect(params).toMatchObject({
      userId: `hilfarm-${APP.appId}`,
      appRequestDomain: http,
      expiresIn: EXPIRES_IN_S,
      positionId: "lab.1",
      baseH5Url: `${http}/h5/`,
      baseImageUrl: `${http}/images/`,
      appId: APP.appId,
    });
    expect(params.token).toMatch(/^[0-9a-f]{32}$/);
    expect(params.appKey).toMatch(/^[0-9a-f]{32}$/);
    expect(params.appKey).not.toBe(APP.appKey);
    // The same appKey on every initialization of the app.
    expect((await client.call(sdkInit)).result?.appKey).toBe(params.appKey);
  });

  it("lets the token query the platform's devices until expiresIn passes, then answers 108", async () => {
    const token = await newToken();
    const devices = await client.call(deviceInfo, {}, { accessToken: token });
    expect(devices.code).toBe(0);
    const dids = ((devices.result?.data ?? []) as Array<{ did: string }>).map((d) => d.did);
    expect(dids).toEqual(expect.arrayContaining([GATEWAY.deviceId, PLUG.deviceId]));
    const one = await client.call(deviceInfo, { dids: [PLUG.deviceId] }, { accessToken: token });
    expect(one.result).toMatchObject({ totalCount: 1, data: [{ did: PLUG.deviceId, state: 0 }] });
    await clock.advanceAsync(EXPIRES_IN_S * 1000 - 1);
    expect((await client.call(deviceInfo, {}, { accessToken: token })).code).toBe(0);
    await clock.advanceAsync(1);
    const late = await client.call(deviceInfo, {}, { accessToken: token });
    expect(late).toMatchObject({ status: 200, code: 108, message: "Token is invalid" });
    expect(late.msgDetails).toMatch(/^Accesstoken: expired at \d+/);
    expect(late.result).toBeUndefined();
  });

  it("renews by asking again: a new token; the one before keeps working until its own expiry", async () => {
    const first = await newToken();
    await clock.advanceAsync(30_000);
    const second = await newToken();
    expect(second).not.toBe(first);
    expect((await client.call(deviceInfo, {}, { accessToken: first })).code).toBe(0);
    await clock.advanceAsync(30_000);
    expect((await client.call(deviceInfo, {}, { accessToken: first })).code).toBe(108);
    expect((await client.call(deviceInfo, {}, { accessToken: second })).code).toBe(0);
  });

  it("ends a token at once when its expiry is notified; a token that no longer works is 108 naming token", async () => {
    const token = await newToken();
    const kept = await newToken();
    const notified = await client.call(tokenExpired, { token });
    expect(notified).toMatchObject({ code: 0, message: "Success", msgDetails: null });
    expect(notified).not.toHaveProperty("result");
    const after = await client.call(deviceInfo, {}, { accessToken: token });
    expect(after.code).toBe(108);
    expect(after.msgDetails).toMatch(/Accesstoken: not issued to this app, or notified expired/);
    const again = await client.call(tokenExpired, { token });
    expect([again.code, again.msgDetails]).toEqual([108, expect.stringMatching(/^token:/)]);
    expect((await client.call(deviceInfo, {}, { accessToken: kept })).code).toBe(0);
    const none = await client.call(tokenExpired, {});
    expect([none.code, none.msgDetails]).toEqual([302, "data.token"]);
    const notText = await client.call(tokenExpired, { token: 7 });
    expect([notText.code, notText.msgDetails]).toEqual([303, expect.stringMatching(/data\.token: a String/)]);
  });

  it("refuses the protected intent without a token (302 naming Accesstoken) and with a made-up one (108)", async () => {
    const none = await client.call(deviceInfo);
    expect([none.code, none.msgDetails]).toEqual([302, "Accesstoken"]);
    const forged = await client.call(deviceInfo, {}, { accessToken: "f".repeat(32) });
    expect(forged.code).toBe(108);
  });
});

describe("the open API's refusals", () => {
  it("answers each fault of the headers with its code, naming the header", async () => {
    const cases: Array<[Parameters<typeof client.call>[2], number, RegExp]> = [
      [{ headers: { Sign: undefined } }, 302, /header Sign$/],
      [{ headers: { Appid: undefined } }, 302, /header Appid$/],
      [{ headers: { Time: "yesterday" } }, 303, /header Time: milliseconds expected/],
      [{ time: clock.now() - 5 * 60_000 - 1 }, 903, /header Time \d+ is more than 300000 ms from/],
      [{ headers: { Appid: "someone-else" } }, 901, /header Appid "someone-else"/],
      [{ headers: { Keyid: "key-2" } }, 901, /header Keyid "key-2" is not a key of app/],
      [{ headers: { Sign: "0".repeat(32) } }, 902, /header Sign does not match/],
    ];
    for (const [options, code, details] of cases) {
      const answer = await client.call(sdkInit, {}, options);
      expect([answer.status, answer.code, answer.msgDetails]).toEqual([
        200,
        code,
        expect.stringMatching(details),
      ]);
    }
  });

  it("refuses a reused nonce (904), but not one whose request was refused before", async () => {
    const refused = await client.call(sdkInit, {}, { nonce: "once", headers: { Sign: "1".repeat(32) } });
    expect(refused.code).toBe(902);
    expect((await client.call(sdkInit, {}, { nonce: "once" })).code).toBe(0);
    const replay = await client.call(sdkInit, {}, { nonce: "once" });
    expect([replay.code, replay.msgDetails]).toEqual([904, 'header Nonce "once"']);
  });

  it("answers an unknown intent 905 and a body without one 302, naming intent", async () => {
    const unknown = await client.call("query.nothing");
    expect([unknown.code, unknown.msgDetails]).toEqual([905, 'intent "query.nothing"']);
    const missing = await client.call("", {}, { body: '{"data":{}}' });
    expect([missing.code, missing.msgDetails]).toEqual([302, "intent"]);
    const badData = await client.call("", {}, { body: `{"intent":"${sdkInit}","data":[1]}` });
    expect([badData.code, badData.msgDetails]).toEqual([303, expect.stringMatching(/^data:/)]);
  });

  it("answers another path or method 303 with the envelope", async () => {
    const wrongPath = await fetch(`${http}/v1.0/open/api`, {
      method: "POST",
      headers: client.headers(),
      body: "{}",
    });
    expect(wrongPath.status).toBe(200);
    expect(await wrongPath.json()).toMatchObject({
      code: 303,
      msgDetails: expect.stringMatching(/POST \/v3\.0\/open\/api/),
    });
    const wrongMethod = await fetch(`${http}/v3.0/open/api`);
    expect(await wrongMethod.json()).toMatchObject({ code: 303 });
  });
});
