import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { makeTestPki } from "../../harness/tls/certificates.ts";
import { tlsRequest } from "../../harness/tls/mutual-tls.ts";
import { isCSuccess } from "../interop/third-party-client.ts";
import {
  CLOUD_ID,
  CLOUD_KEY,
  GW,
  LIFETIME_MS,
  LOCK,
  SUB,
  SWITCH3,
  startThirdPartyRig,
  type ThirdPartyRig,
  TIMEOUT_MS,
} from "./testing/third-party-rig.ts";

const SEQ = "202601011200000001";
const dirs: string[] = [];
let rig: ThirdPartyRig | undefined;

afterEach(async () => {
  await rig?.tp.close();
  rig = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(clock = new VirtualClock(), options = {}) {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-third-party-"));
  dirs.push(dir);
  rig = await startThirdPartyRig(dir, clock, options);
  return { ...rig, clock, dir };
}

/** A raw POST (no client-side checks) with the PKI's client certificate. */
async function post(r: ThirdPartyRig, path: string, body: unknown) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const res = await tlsRequest(`${r.tp.url}${path}`, { method: "POST", body: text }, r.material);
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}

describe("the emulated third party over mutual TLS, through ThirdPartyClient (7.3.2)", () => {
  it("answers every C22-C31 call", async () => {
    const r = await start();
    expect(r.tp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(r.tp.pki).toBe(r.dir);
    const c = r.client;
    expect(await c.call("C22", { deviceSN: LOCK })).toMatchObject({
      code: 0,
      deviceSN: LOCK,
      deviceType: "LOCK-01",
    });
    expect(await c.call("C22", { deviceSN: SWITCH3, deviceType: "CT-SW3-01" })).toMatchObject({ code: 0 });
    expect(await c.call("C22", { deviceSN: GW, bindKey: "any" })).toMatchObject({
      code: 0,
      deviceType: "CT-GW-01",
    });
    expect(await c.call("C24", { gwId: GW, deviceSN: SUB })).toMatchObject({ code: 0 });
    expect(await c.call("C26", { deviceSN: LOCK })).toMatchObject({ code: 0, online: 1 });
    expect(await c.call("C27", { deviceSN: LOCK })).toMatchObject({
      code: 0,
      status: [
        { serialId: "0", name: "LOCK", value: "1" },
        { serialId: "0", name: "BATTERY", value: "80" },
      ],
      resource: [{ serialId: "0", resName: "KEY_LIST" }],
    });
    const control = await c.call("C28", {
      deviceSN: SWITCH3,
      serialId: "2",
      cmds: [{ name: "SET_POWER", value: "1" }],
    });
    expect(control).toMatchObject({ code: 0, result: [{ serialId: "2", name: "POWER", value: "1" }] });
    expect(r.tp.device(SWITCH3).status).toEqual({
      "1": { POWER: "0" },
      "2": { POWER: "1" },
      "3": { POWER: "0" },
    });
    const key = { mode: "1" as const, KEY_ID: "9", KEY_TYPE: "2", KEY_NAME: "guest" };
    expect(
      await c.call("C31", {
        deviceSN: LOCK,
        resource: [{ serialId: "0", resName: "KEY_LIST", resInfo: [key] }],
      }),
    ).toMatchObject({ code: 0 });
    expect(await c.call("C29", { gwId: GW })).toMatchObject({
      code: 0,
      gwId: GW,
      online: 1,
      devices: [
        { deviceSN: SUB, deviceType: "ZB-SW1-01", online: 1 },
        { deviceSN: "TP-zigbee-switch-0002", deviceType: "ZB-SW1-01", online: 1 },
      ],
    });
    const detail = await c.call("C30", { gwId: GW });
    expect(detail).toMatchObject({ code: 0, gwId: GW, status: [{ name: "PERMIT_JOIN" }] });
    expect(await c.call("C25", { gwId: GW, deviceSN: SUB })).toMatchObject({ code: 0 });
    expect(await c.call("C23", { deviceSN: GW })).toMatchObject({ code: 0 });
    expect(await c.call("C26", { deviceSN: GW })).toMatchObject({ code: 1003 });
    expect(r.calls.filter((id) => id === "C21")).toHaveLength(1);
    expect(r.clock.timerCount()).toBe(0);
  });

  it("tokens: reused until expiredAt on the clock, then renewed; a token replaced by another C21 is 1001 and the client renews once", async () => {
    const r = await start();
    await r.client.call("C22", { deviceSN: LOCK });
    r.clock.advance(LIFETIME_MS - 1);
    await r.client.call("C26", { deviceSN: LOCK });
    expect(r.calls).toEqual(["C21", "C22", "C26"]);
    r.clock.advance(1);
    await r.client.call("C26", { deviceSN: LOCK });
    expect(r.calls.slice(3)).toEqual(["C21", "C26"]);
    // A second client's C21 replaces the token (one live token per platform): the first meets 1001 and renews.
    await r.newClient().call("C26", { deviceSN: LOCK });
    r.calls.length = 0;
    expect(await r.client.call("C26", { deviceSN: LOCK })).toMatchObject({ code: 0, online: 1 });
    expect(r.calls).toEqual(["C26", "C21", "C26"]);
  });

  it("1001 without a token, 1002 naming the field, 1003 for an unknown device, all with HTTP 200; 404 and 405 elsewhere", async () => {
    const r = await start();
    expect(await post(r, "/device/online/get", { sequenceNo: SEQ, deviceSN: LOCK })).toMatchObject({
      status: 200,
      json: { code: 1001 },
    });
    const token = await post(r, "/token", { cloudId: CLOUD_ID, cloudKey: CLOUD_KEY, sequenceNo: SEQ });
    const head = { access_token: token.json.access_token, sequenceNo: SEQ };
    const bad = await post(r, "/device/control", {
      ...head,
      deviceSN: LOCK,
      serialId: "x",
      cmds: [{ name: "LOCK", value: "1" }],
    });
    expect(bad).toMatchObject({ status: 200, json: { code: 1002 } });
    expect(String(bad.json.desc)).toMatch(/^serialId:/);
    expect(
      (await post(r, "/device/bind", { ...head, sequenceNo: "yesterday", deviceSN: LOCK })).json.desc,
    ).toMatch(/^sequenceNo:/);
    expect(await post(r, "/device/status/get", { ...head, deviceSN: "TP-none-0001" })).toMatchObject({
      status: 200,
      json: { code: 1003 },
    });
    expect(await post(r, "/token", { cloudId: CLOUD_ID, cloudKey: "wrong", sequenceNo: SEQ })).toMatchObject({
      json: { code: 1002 },
    });
    expect((await post(r, "/notify/token", {})).status).toBe(404);
    const get = await tlsRequest(`${r.tp.url}/device/bind`, { method: "GET" }, r.material);
    expect(get.status).toBe(405);
  });

  it("a client without a certificate, or with one of another CA, is refused at the handshake", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-third-party-"));
    dirs.push(dir);
    // A PKI made first, with a second CA: the third party takes the one it finds.
    const pki = await makeTestPki(dir, { otherCa: true });
    rig = await startThirdPartyRig(dir, new VirtualClock());
    const url = `${rig.tp.url}/token`;
    const noCert = tlsRequest(url, { method: "POST", body: "{}" }, { ca: rig.material.ca });
    await expect(noCert).rejects.toMatchObject({ name: "TlsError", code: "TLS_HANDSHAKE" });
    const other = pki.otherCa?.client;
    if (other === undefined) throw new Error("makeTestPki made no second CA");
    const otherCa = { ca: rig.material.ca, cert: other.cert.pem, key: other.key.pem };
    await expect(tlsRequest(url, { method: "POST", body: "{}" }, otherCa)).rejects.toMatchObject({
      code: "TLS_HANDSHAKE",
    });
    expect(
      (await post(rig, "/token", { cloudId: CLOUD_ID, cloudKey: CLOUD_KEY, sequenceNo: SEQ })).json.code,
    ).toBe(0);
  });
});

describe("the third party's misbehaviour switches, seen by ThirdPartyClient", () => {
  it("slowAnswersMs: an answer held past the client's timeout is C_TIMEOUT; a shorter hold arrives late", async () => {
    const r = await start(new VirtualClock(), { misbehaviour: { slowAnswersMs: TIMEOUT_MS * 2 } });
    const late = r.clock.runUntilSettled(r.client.call("C26", { deviceSN: LOCK }).catch((e: unknown) => e));
    expect(await late).toMatchObject({ code: "C_TIMEOUT", interfaceId: "C21" });
    r.tp.setMisbehaviour({ slowAnswersMs: 500 });
    const started = r.clock.now();
    const answer = await r.clock.runUntilSettled(r.client.call("C22", { deviceSN: LOCK }));
    expect(answer.code).toBe(0);
    expect(r.clock.now() - started).toBeGreaterThanOrEqual(1000); // C21 and C22, 500 ms each
    r.tp.setMisbehaviour({ slowAnswersMs: 0 });
    expect((await r.client.call("C26", { deviceSN: LOCK })).code).toBe(0);
  });

  it("tokenLifetimeMs: tokens expire early, so the client takes a new one every time", async () => {
    const r = await start(new VirtualClock(), { misbehaviour: { tokenLifetimeMs: 10 } });
    await r.client.call("C22", { deviceSN: LOCK });
    r.clock.advance(10);
    await r.client.call("C26", { deviceSN: LOCK });
    expect(r.calls).toEqual(["C21", "C22", "C21", "C26"]);
    expect(r.tp.misbehaviour.tokenLifetimeMs).toBe(10);
  });

  it("wrongCodes: an unknown device is answered 0, a missing token 9999", async () => {
    const r = await start(new VirtualClock(), { misbehaviour: { wrongCodes: true } });
    const answer = await r.client.call("C27", { deviceSN: "TP-none-0001" });
    expect(answer).toMatchObject({ code: 0, status: [] });
    expect(isCSuccess(answer)).toBe(true);
    expect((await post(r, "/device/online/get", { sequenceNo: SEQ, deviceSN: LOCK })).json.code).toBe(9999);
  });
});
