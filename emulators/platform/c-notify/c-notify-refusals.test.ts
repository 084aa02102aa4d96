import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { tlsRequest } from "../../../harness/tls/mutual-tls.ts";
import { startTestPlatform } from "../testing/fixtures.ts";
import { MAX_NOTIFY_BODY_BYTES } from "./server.ts";
import { type NotifyRig, PLATFORM_ID, PLATFORM_KEY, SEQ, startNotifyRig } from "./testing/notify-rig.ts";

let dir: string;
let rig: NotifyRig | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-c-notify-"));
});
afterEach(async () => {
  await rig?.platform.close();
  rig = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = async (options: Parameters<typeof startNotifyRig>[2] = {}) => {
  rig = await startNotifyRig(dir, new VirtualClock(), options);
  return rig;
};
const online = (access_token?: string) => ({
  ...(access_token === undefined ? {} : { access_token }),
  sequenceNo: SEQ,
  deviceSN: "TP-1",
  deviceType: "T",
  online: "1",
});

describe("c-notify refusals (7.3.1.9: codes in the body, HTTP 200)", () => {
  it("refuses wrong C11 credentials with 1002 on platformKey, never showing the key", async () => {
    const { post, logs } = await start();
    const wrong = await post("/notify/token", {
      platformId: PLATFORM_ID,
      platformKey: "nope",
      sequenceNo: SEQ,
    });
    expect(wrong).toEqual({
      status: 200,
      json: { code: 1002, desc: expect.stringMatching(/^platformKey: /) },
    });
    expect(String(wrong.json.desc)).not.toContain("nope");
    const stranger = await post("/notify/token", {
      platformId: "other",
      platformKey: PLATFORM_KEY,
      sequenceNo: SEQ,
    });
    expect(stranger.json.code).toBe(1002);
    expect(logs.join("")).not.toContain(PLATFORM_KEY);
  });

  it("answers 1001 when the token is missing, unknown, replaced or expired (on the platform's clock)", async () => {
    const { post, token, clock } = await start({ tokenLifetimeMs: 60_000 });
    const missing = await post("/notify/device/online", online());
    expect(missing).toEqual({
      status: 200,
      json: { code: 1001, desc: expect.stringMatching(/^access_token: /) },
    });
    expect((await post("/notify/device/online", online("notissued000000"))).json.code).toBe(1001);
    const first = await token();
    expect((await post("/notify/device/online", online(first))).json.code).toBe(0);
    const second = await token();
    expect((await post("/notify/device/online", online(first))).json.code).toBe(1001);
    clock.advance(59_999);
    expect((await post("/notify/device/online", online(second))).json.code).toBe(0);
    clock.advance(1);
    const expired = await post("/notify/device/online", online(second));
    expect(expired.json).toEqual({ code: 1001, desc: expect.stringMatching(/^access_token: expired/) });
    expect(String(expired.json.desc)).not.toContain(second);
  });

  it("answers 1002 naming the field for a malformed body", async () => {
    const { post, token } = await start();
    const access_token = await token();
    const notJson = await post("/notify/device/online", "{not json");
    expect(notJson).toEqual({ status: 200, json: { code: 1002, desc: expect.stringMatching(/^body: /) } });
    expect((await post("/notify/device/online", "[]")).json).toEqual({
      code: 1002,
      desc: expect.stringMatching(/^body: /),
    });
    const { deviceSN: _, ...noSn } = online(access_token);
    expect((await post("/notify/device/online", noSn)).json).toEqual({
      code: 1002,
      desc: "deviceSN: required (missing)",
    });
    const badFlag = await post("/notify/device/online", { ...online(access_token), online: "2" });
    expect(badFlag.json).toEqual({ code: 1002, desc: expect.stringMatching(/^online: /) });
    const badStatus = { ...online(access_token), status: [{ serialId: "x", name: "A", value: "1" }] };
    expect((await post("/notify/device/status", badStatus)).json).toEqual({
      code: 1002,
      desc: expect.stringMatching(/^status\.0\.serialId: /),
    });
    const badSeq = await post("/notify/token", {
      platformId: PLATFORM_ID,
      platformKey: PLATFORM_KEY,
      sequenceNo: "1",
    });
    expect(badSeq.json).toEqual({ code: 1002, desc: expect.stringMatching(/^sequenceNo: /) });
  });

  it("refuses at HTTP: other paths 404, other methods 405, bodies over 1 MiB 413", async () => {
    const { https, client, post } = await start();
    expect((await post("/device/control", {})).status).toBe(404);
    const get = await tlsRequest(`${https}/notify/token`, { method: "GET" }, client);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const big = await post("/notify/device/online", { pad: "x".repeat(MAX_NOTIFY_BODY_BYTES) });
    expect(big.status).toBe(413);
  });

  it("ends the handshake of a client without a certificate: the handler never runs", async () => {
    const { https, client, logs } = await start();
    const before = logs.filter((l) => l.includes('"c-notify answer"')).length;
    const anonymous = { ca: client.ca };
    const body = JSON.stringify({ platformId: PLATFORM_ID, platformKey: PLATFORM_KEY, sequenceNo: SEQ });
    await expect(
      tlsRequest(`${https}/notify/token`, { method: "POST", body }, anonymous),
    ).rejects.toMatchObject({
      code: "TLS_HANDSHAKE",
    });
    expect(logs.filter((l) => l.includes('"c-notify answer"'))).toHaveLength(before);
  });

  it("is absent without the interop options: the ready addresses are as before", async () => {
    const platform = await startTestPlatform(new VirtualClock());
    try {
      expect(Object.keys(platform.addresses.surfaces)).toEqual([
        "fanout",
        "mc-connection",
        "api",
        "mc-login",
      ]);
    } finally {
      await platform.close();
    }
  });
});
