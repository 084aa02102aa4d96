import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { ScriptedDevice } from "../device/scripted-device.ts";
import type { Platform } from "./platform.ts";
import { GATEWAY, LOCK, PLUG, startTestPlatform } from "./testing/fixtures.ts";

let platform: Platform | undefined;
const devices: ScriptedDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  await platform?.close();
  platform = undefined;
});

async function setup(options: Parameters<typeof startTestPlatform>[1] = {}) {
  const clock = new VirtualClock();
  platform = await startTestPlatform(clock, options);
  const base = platform.addresses.http;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : {
            body: typeof body === "string" ? body : JSON.stringify(body),
            headers: { "content-type": "application/json" },
          }),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text,
    };
  };
  return { clock, platform, api };
}

async function onlinePlug(p: Platform) {
  const plug = new ScriptedDevice(PLUG.deviceId, PLUG.pin);
  devices.push(plug);
  await plug.login(p.addresses.login);
  await plug.connect("tcp");
  return plug;
}

describe("northbound API", () => {
  it("lists devices and shows one with status, resources and version", async () => {
    const { api, platform: p } = await setup();
    const plug = await onlinePlug(p);
    await plug.request({
      code: 2006,
      body: {
        deviceId: PLUG.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
        time: 1,
      },
    });
    const list = await api("GET", "/api/devices");
    expect(list.status).toBe(200);
    expect(list.json).toContainEqual({
      deviceId: PLUG.deviceId,
      model: PLUG.model,
      online: true,
      parentId: null,
      transport: "tcp",
      lastSeen: expect.stringMatching(/^2026-01-01T/),
    });
    expect(list.json).toContainEqual(
      expect.objectContaining({ deviceId: LOCK.deviceId, parentId: GATEWAY.deviceId, online: false }),
    );
    const one = await api("GET", `/api/devices/${PLUG.deviceId}`);
    expect(one.json).toMatchObject({
      deviceId: PLUG.deviceId,
      online: true,
      status: { "0": { POWER: "1" } },
      resources: [],
      version: { modules: {} },
    });
  });

  it("POST control sends 2005 and answers with the device's 2004 and the state it reports", async () => {
    const { api, platform: p } = await setup();
    const plug = await onlinePlug(p);
    const answer = api("POST", `/api/devices/${PLUG.deviceId}/control`, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    const request = await plug.next(2005);
    plug.respond(request, 2004, { dscp: "done", deviceId: PLUG.deviceId, time: 1 });
    await plug.request({
      code: 2006,
      body: {
        deviceId: PLUG.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
        time: 1,
      },
    });
    expect(await answer).toEqual({
      status: 200,
      json: { result: 0, dscp: "done", state: { "0": { POWER: "1" } } },
    });
  });

  it("answers 404 for an unknown device, 409 for an offline one, 504 when the device does not answer", async () => {
    const { api, clock, platform: p } = await setup();
    const unknown = await api("POST", "/api/devices/nope/control", {
      cmd: [{ cmdName: "X", cmdParam: "1" }],
    });
    expect(unknown).toEqual({
      status: 404,
      json: { error: "UNKNOWN_DEVICE", detail: 'no device "nope" in the registry' },
    });
    const offline = await api("POST", `/api/devices/${PLUG.deviceId}/query`);
    expect(offline).toEqual({
      status: 409,
      json: { error: "OFFLINE", detail: `${PLUG.deviceId} is offline` },
    });
    const plug = await onlinePlug(p);
    const silent = api("POST", `/api/devices/${PLUG.deviceId}/query`);
    await clock.runUntilSettled(plug.next(2003));
    const timedOut = await clock.runUntilSettled(silent);
    expect(timedOut.status).toBe(504);
    expect(timedOut.json.error).toBe("DEVICE_TIMEOUT");
  });

  it("answers 400 naming the field and the value of a bad body", async () => {
    const { api, platform: p } = await setup();
    await onlinePlug(p);
    const badParam = await api("POST", `/api/devices/${PLUG.deviceId}/control`, {
      cmd: [{ cmdName: "SET_POWER", cmdParam: 1 }],
    });
    expect(badParam.status).toBe(400);
    expect(badParam.json).toEqual({
      error: "BAD_REQUEST",
      detail: expect.stringMatching(/^cmd\.0\.cmdParam: .* \(got 1\)$/),
    });
    const notJson = await api("POST", `/api/devices/${PLUG.deviceId}/control`, "{oops");
    expect(notJson.json).toEqual({ error: "BAD_REQUEST", detail: 'request body is not JSON: "{oops"' });
    const badMd5 = await api("POST", `/api/devices/${PLUG.deviceId}/upgrade`, {
      version: "2",
      url: "http://x/f",
      md5: "xyz",
    });
    expect(badMd5.json.detail).toMatch(/^md5: expected 32 hex digits \(got "xyz"\)$/);
  });

  it("stores firmware with PUT, serves it at /firmware/<name>, and upgrades with it", async () => {
    const { api, platform: p } = await setup();
    const plug = await onlinePlug(p);
    const put = await fetch(`${p.addresses.http}/api/firmware/plug-2.bin`, { method: "PUT", body: "IMAGE" });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({
      name: "plug-2.bin",
      md5: createHash("md5").update("IMAGE").digest("hex"),
      size: 5,
    });
    const upgrade = api("POST", `/api/devices/${PLUG.deviceId}/upgrade`, {
      version: "2.0.0.0",
      firmware: "plug-2.bin",
    });
    const notice = await plug.next(2025);
    const url = (notice.body as { device: { url: string } }).device.url;
    expect(await (await fetch(url)).text()).toBe("IMAGE");
    plug.respond(notice, 2024, { deviceId: PLUG.deviceId, time: 1 });
    expect((await upgrade).json).toMatchObject({ result: 0, url });
    expect(
      (await api("POST", `/api/devices/${PLUG.deviceId}/upgrade`, { version: "2", firmware: "missing.bin" }))
        .status,
    ).toBe(404);
  });

  it("lists events, alarms and faults with their time", async () => {
    const { api, platform: p } = await setup();
    const plug = await onlinePlug(p);
    await plug.request({
      code: 2008,
      body: {
        deviceId: PLUG.deviceId,
        alarm: { serialId: "0", statusName: "TEMP", curStatusValue: "70", dscp: "hot", alarmTime: 1 },
        time: 1,
      },
    });
    await plug.request({
      code: 2032,
      body: { deviceId: PLUG.deviceId, event: [{ serialId: "0", eventName: "BUTTON" }], time: 1 },
    });
    const all = await api("GET", `/api/devices/${PLUG.deviceId}/events`);
    expect(all.json).toEqual([
      {
        kind: "alarm",
        time: expect.stringMatching(/^2026-/),
        serialId: "0",
        statusName: "TEMP",
        curStatusValue: "70",
        dscp: "hot",
        alarmTime: 1,
      },
      { kind: "event", time: expect.stringMatching(/^2026-/), serialId: "0", eventName: "BUTTON" },
    ]);
    expect((await api("GET", `/api/devices/${PLUG.deviceId}/events?kind=alarm`)).json).toHaveLength(1);
  });

  it("serves Prometheus metrics: logins, online devices, frames in and out", async () => {
    const { api, platform: p } = await setup();
    await onlinePlug(p);
    const { status, json: text } = await api("GET", "/metrics");
    expect(status).toBe(200);
    expect(text).toMatch(/^hilfarm_platform_logins_total\{outcome="ok"\} 1$/m);
    expect(text).toMatch(/^hilfarm_platform_online_devices 1$/m);
    expect(text).toMatch(/^hilfarm_platform_frames_in_total\{transport="tcp"\} 1$/m);
    expect(text).toMatch(/^hilfarm_platform_frames_out_total\{transport="tcp"\} 1$/m);
  });
});

describe("several connection servers", () => {
  it("sends each login to the least loaded one", async () => {
    const { platform: p } = await setup({ connectionServers: 2 });
    expect(p.addresses.connectionServers).toHaveLength(2);
    const first = await onlinePlug(p);
    const gateway = new ScriptedDevice(GATEWAY.deviceId, GATEWAY.pin);
    devices.push(gateway);
    await gateway.login(p.addresses.login);
    expect(first.tcpHost).toBe(p.addresses.connectionServers[0]?.tcp);
    expect(gateway.tcpHost).toBe(p.addresses.connectionServers[1]?.tcp);
    await gateway.connect("tcp");
    expect(p.store.get(GATEWAY.deviceId)?.online).toBe(true);
  });
});
