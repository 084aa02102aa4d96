import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { makeTestPki, type TestPki, tlsPaths } from "../../../harness/tls/certificates.ts";
import { loadTlsMaterial } from "../../../harness/tls/tls-material.ts";
import type { Platform } from "../platform.ts";
import { PLUG, startTestPlatform } from "../testing/fixtures.ts";
import { startThirdPartyStub, type ThirdPartyStub } from "./testing/third-party-stub.ts";

const CLOUD_ID = "hilfarm-cloud";
const CLOUD_KEY = "cloud-k3y-exchanged-offline";
const GW = "TP-GW-0001";
const SUB = "TP-ZB-0001";
const SEQUENCE_NO = /^\d{14}\d{4}$/;

let dir: string;
let pki: TestPki;
let stub: ThirdPartyStub | undefined;
let platform: Platform | undefined;
let clock: VirtualClock;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-c-interop-"));
  pki = await makeTestPki(dir, { otherCa: true });
});
async function stopAll(): Promise<void> {
  await platform?.close();
  await stub?.close();
  platform = undefined;
  stub = undefined;
}
afterEach(stopAll);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 7.3.2.1-7.3.2.11: the answers of a third party holding GW (a gateway) with SUB under it. */
function scriptThirdParty(s: ThirdPartyStub, expiredAt: () => number): void {
  let tokens = 0;
  s.answers.set("/token", () => {
    tokens++;
    return { code: 0, desc: "成功", access_token: `tok${tokens}`, expiredAt: expiredAt() };
  });
  s.answers.set("/device/bind", (b) => ({
    code: 0,
    desc: "成功",
    deviceSN: b.deviceSN,
    deviceType: "GW-T",
    sequenceNo: b.sequenceNo,
  }));
  s.answers.set("/device/unbind", { code: 0 });
  s.answers.set("/device/sub/bind", { code: 0, desc: "成功" });
  s.answers.set("/device/sub/unbind", { code: 0 });
  s.answers.set("/device/online/get", { code: 0, desc: "成功", online: 1 });
  s.answers.set("/device/status/get", {
    code: 0,
    desc: "成功",
    status: [{ serialId: "0", name: "POWER", value: "1" }],
    resource: [{ serialId: "0", resName: "SCENE", resInfo: [{ SCENE_ID: "1" }] }],
  });
  s.answers.set("/device/control", (b) => ({
    code: 0,
    desc: "成功",
    result: (b.cmds as Array<{ name: string; value: string }>).map((c) => ({
      serialId: b.serialId,
      name: c.name,
      value: c.value,
    })),
  }));
  s.answers.set("/device/resManage", { code: 0, desc: "成功" });
  s.answers.set("/gateway/subList", {
    code: 0,
    desc: "成功",
    gwId: GW,
    deviceType: "GW-T",
    online: 1,
    devices: [{ deviceSN: SUB, deviceType: "ZB-T", online: 1 }],
  });
  s.answers.set("/gateway/subDetailList", {
    code: 0,
    desc: "成功",
    gwId: GW,
    deviceType: "GW-T",
    status: [{ serialId: "0", name: "POWER", value: "1" }],
    devices: [{ deviceSN: SUB, deviceType: "ZB-T", status: [{ serialId: "0", name: "TEMP", value: "21" }] }],
  });
}

async function start(options: { timeoutMs?: number; url?: string; cloudKey?: string } = {}) {
  clock = new VirtualClock();
  stub = await startThirdPartyStub(await loadTlsMaterial(tlsPaths(pki.server, pki.ca)));
  scriptThirdParty(stub, () => clock.now() + 3_600_000);
  platform = await startTestPlatform(clock, {
    interop: {
      platformId: "smart-home",
      platformKey: "platform-key",
      tls: { dir },
      thirdParty: {
        url: options.url ?? stub.url,
        cloudId: CLOUD_ID,
        cloudKey: options.cloudKey ?? CLOUD_KEY,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      },
    },
  });
  return { stub, platform };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${platform?.addresses.http}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const paths = (s: ThirdPartyStub) => s.received.map((r) => r.path);

describe("the c-interop surface: the northbound API calls the third-party platform (7.2 steps 3-4, 7.3.2)", () => {
  it("binds with C22 after a C21 token, and the device shows in /api/devices with via", async () => {
    const { stub } = await start();
    expect(Object.keys(platform?.addresses.surfaces ?? {})).toContain("c-interop");
    const bound = await api("POST", "/api/third-party/devices", { deviceSN: GW, bindKey: "bk-1" });
    expect(bound).toEqual({ status: 200, json: { deviceSN: GW, deviceType: "GW-T", via: "third-party" } });
    expect(paths(stub)).toEqual(["/token", "/device/bind"]);
    expect(stub.received[0]?.body).toEqual({
      cloudId: CLOUD_ID,
      cloudKey: CLOUD_KEY,
      sequenceNo: expect.stringMatching(SEQUENCE_NO),
    });
    expect(stub.received[1]?.body).toEqual({
      deviceSN: GW,
      bindKey: "bk-1",
      access_token: "tok1",
      sequenceNo: expect.stringMatching(SEQUENCE_NO),
    });
    const devices = (await api("GET", "/api/devices")).json as unknown as Array<Record<string, unknown>>;
    expect(devices.find((d) => d.deviceId === GW)).toMatchObject({ model: "GW-T", via: "third-party" });
  });

  it("sends a control as C28 (cmds of name/value) and keeps the answer's result as the device's state", async () => {
    const { stub } = await start();
    await api("POST", "/api/third-party/devices", { deviceSN: GW });
    const control = await api("POST", `/api/devices/${GW}/control`, {
      serialId: "1",
      cmd: [{ cmdName: "POWER", cmdParam: "0" }],
    });
    expect(control).toEqual({ status: 200, json: { result: 0, state: { "1": { POWER: "0" } } } });
    expect(stub.received.at(-1)).toEqual({
      path: "/device/control",
      body: {
        deviceSN: GW,
        deviceType: "GW-T",
        serialId: "1",
        cmds: [{ name: "POWER", value: "0" }],
        access_token: "tok1",
        sequenceNo: expect.stringMatching(SEQUENCE_NO),
      },
    });
    // One token for both calls: it is cached until its expiredAt.
    expect(paths(stub).filter((p) => p === "/token")).toHaveLength(1);
  });

  it("queries (C26, C27), manages resources (C31), and handles sub-devices (C24, C29, C30, C25) and unbinds (C23)", async () => {
    const { stub } = await start();
    await api("POST", "/api/third-party/devices", { deviceSN: GW });
    expect(await api("GET", `/api/third-party/devices/${GW}/online`)).toEqual({
      status: 200,
      json: { deviceSN: GW, online: true },
    });
    expect((await api("POST", `/api/devices/${GW}/query`)).json).toEqual({
      result: 0,
      state: { "0": { POWER: "1" } },
    });
    const resources = await api("POST", `/api/devices/${GW}/resources`, {
      resourceSerials: [
        {
          serialId: "0",
          resourceSerial: [{ resourceName: "SCENE", resourceInfo: [{ MODE: "3", SCENE_ID: "1" }] }],
        },
      ],
    });
    expect(resources).toEqual({ status: 200, json: { result: 0 } });
    expect(stub.received.at(-1)?.body.resource).toEqual([
      { serialId: "0", resName: "SCENE", resInfo: [{ SCENE_ID: "1", mode: "3" }] },
    ]);
    expect(
      (await api("POST", `/api/third-party/gateways/${GW}/subdevices`, { deviceSN: SUB, deviceType: "ZB-T" }))
        .json,
    ).toEqual({ result: 0, deviceSN: SUB, gwId: GW, via: "third-party" });
    expect((await api("GET", `/api/third-party/gateways/${GW}/subdevices`)).json).toMatchObject({
      gwId: GW,
      online: true,
      devices: [{ deviceSN: SUB, deviceType: "ZB-T", online: 1 }],
    });
    await api("GET", `/api/third-party/gateways/${GW}/subdevices?detail=1`);
    expect((await api("GET", `/api/devices/${SUB}`)).json).toMatchObject({
      parentId: GW,
      via: "third-party",
      status: { "0": { TEMP: "21" } },
    });
    expect((await api("DELETE", `/api/devices/${GW}/subdevices/${SUB}`)).json).toEqual({ result: 0 });
    expect((await api("DELETE", `/api/third-party/devices/${GW}`)).json).toEqual({ result: 0 });
    expect((await api("GET", `/api/devices/${GW}`)).json).toMatchObject({ unbound: true, online: false });
    expect(paths(stub)).toEqual([
      "/token",
      "/device/bind",
      "/device/online/get",
      "/device/status/get",
      "/device/resManage",
      "/device/sub/bind",
      "/gateway/subList",
      "/gateway/subDetailList",
      "/device/sub/unbind",
      "/device/unbind",
    ]);
    expect(stub.received.find((r) => r.path === "/device/sub/unbind")?.body).toMatchObject({
      gwId: GW,
      deviceSN: SUB,
      deviceType: "ZB-T",
    });
  });

  it("answers the third party's failure codes: 1003 is 404, 9999 is 502 with the code and desc, 1001 renews once", async () => {
    const { stub } = await start();
    stub.answers.set("/device/bind", { code: 1003, desc: "设备不存在" });
    const unknown = await api("POST", "/api/third-party/devices", { deviceSN: "NOPE" });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      error: "UNKNOWN_DEVICE",
      interface: "C22",
      code: 1003,
      desc: "设备不存在",
    });
    expect(String(unknown.json.detail)).toContain('C22 /device/bind for "NOPE"');
    stub.answers.set("/device/bind", { code: 9999, desc: "系统异常" });
    const failed = await api("POST", "/api/third-party/devices", { deviceSN: GW });
    expect(failed).toMatchObject({ status: 502, json: { error: "THIRD_PARTY_REFUSED", code: 9999 } });
    // 1001 on the first try: one new token (C21), one retry.
    let calls = 0;
    stub.answers.set("/device/bind", (b) =>
      ++calls === 1
        ? { code: 1001, desc: "Token 失效" }
        : { code: 0, desc: "成功", deviceSN: b.deviceSN, deviceType: "GW-T", sequenceNo: b.sequenceNo },
    );
    expect((await api("POST", "/api/third-party/devices", { deviceSN: GW })).status).toBe(200);
    expect(paths(stub).slice(-3)).toEqual(["/device/bind", "/token", "/device/bind"]);
    expect(stub.received.at(-1)?.body.access_token).toBe("tok2");
  });

  it("refuses, naming the field, a bind without deviceSN, and a control of a device never bound (404), sending nothing", async () => {
    const { stub } = await start();
    const bad = await api("POST", "/api/third-party/devices", { deviceType: "GW-T" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.detail)).toMatch(/^deviceSN: /);
    expect((await api("GET", "/api/third-party/devices/NEVER/online")).status).toBe(404);
    expect(stub.received).toEqual([]);
    // 7.3.2.8: a command's value is required; an empty one is refused before anything is sent.
    await api("POST", "/api/third-party/devices", { deviceSN: GW });
    const sent = stub.received.length;
    const empty = await api("POST", `/api/devices/${GW}/control`, {
      cmd: [{ cmdName: "POWER", cmdParam: "" }],
    });
    expect(empty.status).toBe(400);
    expect(String(empty.json.detail)).toMatch(/cmds\.0\.value|cmds\[0\]\.value/);
    expect(stub.received).toHaveLength(sent);
  });

  it("says 504 when the third party does not answer within the timeout (virtual time)", async () => {
    const { stub } = await start({ timeoutMs: 5_000 });
    await api("POST", "/api/third-party/devices", { deviceSN: GW });
    stub.answers.set("/device/control", "hang");
    const arrived = stub.arrival("/device/control");
    const pending = api("POST", `/api/devices/${GW}/control`, { cmd: [{ cmdName: "POWER", cmdParam: "1" }] });
    await arrived;
    clock.advance(5_000);
    const answer = await pending;
    expect(answer.status).toBe(504);
    expect(answer.json).toMatchObject({
      error: "THIRD_PARTY_TIMEOUT",
      interface: "C28",
      reason: "C_TIMEOUT",
    });
  });

  it("says 502, and why, when the third party cannot be reached or refuses the platform's certificate", async () => {
    const first = (await start()).stub;
    const url = first.url;
    await stopAll();
    await start({ url });
    const unreachable = await api("POST", "/api/third-party/devices", { deviceSN: GW });
    expect(unreachable).toMatchObject({
      status: 502,
      json: { error: "THIRD_PARTY_UNREACHABLE", reason: "C_TRANSPORT" },
    });
    await stopAll();
    // A third party whose CA is another: the handshake fails, and the API says so.
    clock = new VirtualClock();
    stub = await startThirdPartyStub(
      await loadTlsMaterial(tlsPaths(pki.otherCa?.server ?? pki.server, pki.otherCa?.ca ?? pki.ca)),
    );
    scriptThirdParty(stub, () => clock.now() + 3_600_000);
    platform = await startTestPlatform(clock, {
      interop: {
        platformId: "smart-home",
        platformKey: "platform-key",
        tls: { dir },
        thirdParty: { url: stub.url, cloudId: CLOUD_ID, cloudKey: CLOUD_KEY },
      },
    });
    const refused = await api("POST", "/api/third-party/devices", { deviceSN: GW });
    expect(refused).toMatchObject({
      status: 502,
      json: { error: "THIRD_PARTY_UNREACHABLE", interface: "C21" },
    });
    expect(stub?.received).toEqual([]);
  });

  it("a wrong cloudKey: C21 refused, told to the app as 502 with the code", async () => {
    const { stub } = await start({ cloudKey: "wrong" });
    stub.answers.set("/token", (b) =>
      b.cloudKey === CLOUD_KEY
        ? { code: 0, desc: "成功", access_token: "t", expiredAt: clock.now() + 1000 }
        : { code: 1002, desc: "cloudKey: wrong" },
    );
    const answer = await api("POST", "/api/third-party/devices", { deviceSN: GW });
    expect(answer).toMatchObject({
      status: 502,
      json: { error: "THIRD_PARTY_REFUSED", interface: "C21", reason: "C_TOKEN_REFUSED", code: 1002 },
    });
    expect(String(answer.json.detail)).not.toContain('wrong"');
  });

  it("without a third party, a device behind one cannot be controlled: 503 NO_THIRD_PARTY, and Mc devices are untouched", async () => {
    clock = new VirtualClock();
    platform = await startTestPlatform(clock);
    expect((await api("POST", "/api/third-party/devices", { deviceSN: GW })).json).toMatchObject({
      error: "NO_THIRD_PARTY",
    });
    // An Mc device is still controlled through its session (offline here: 409), not the third party.
    expect(
      (await api("POST", `/api/devices/${PLUG.deviceId}/control`, { cmd: [{ cmdName: "a", cmdParam: "1" }] }))
        .json,
    ).toMatchObject({
      error: "OFFLINE",
    });
  });
});
