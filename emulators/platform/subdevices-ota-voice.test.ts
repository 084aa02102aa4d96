import { createHash } from "node:crypto";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { startEmbeddedBroker } from "../../harness/mqtt/embedded-broker.ts";
import { ScriptedDevice } from "../device/scripted-device.ts";
import type { Platform } from "./platform.ts";
import { GATEWAY, LOCK, PLUG, SENSOR, startTestPlatform } from "./testing/fixtures.ts";

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
  const gateway = new ScriptedDevice(GATEWAY.deviceId, GATEWAY.pin);
  devices.push(gateway);
  await gateway.login(platform.addresses.login);
  await gateway.connect("tcp");
  return { clock, platform, gateway };
}

/** 5.4.3.3: the gateway reports its sensor's temperature (2006). */
const temperatureReport = (value: string) => ({
  code: 2006 as const,
  body: {
    deviceId: SENSOR.deviceId,
    statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "TEMP", curStatusValue: value }] }],
    time: 1,
  },
});

describe("5.4.3.9-13 sub-devices", () => {
  it("checks a sub-device's PIN against the registry: 0 for its own gateway and PIN, 1 otherwise", async () => {
    const { gateway } = await setup();
    const auth = (subDeviceId: string, pin: string) =>
      gateway.request({ code: 2012, body: { deviceId: GATEWAY.deviceId, subDeviceId, pin, time: 1 } });
    expect((await auth(SENSOR.deviceId, SENSOR.pin)).body).toMatchObject({
      result: 0,
      subDeviceId: SENSOR.deviceId,
      authResult: "0",
    });
    expect((await auth(SENSOR.deviceId, LOCK.pin)).body).toMatchObject({ result: 0, authResult: "1" });
    expect((await auth(PLUG.deviceId, PLUG.pin)).body).toMatchObject({ authResult: "1" });
    expect((await auth("ffffffffffffffffffffffff", SENSOR.pin)).body).toMatchObject({
      result: 200001,
      authResult: "1",
    });
  });

  it("brings a sub-device online with 2020, takes it offline with its gateway, and back with a state report", async () => {
    const { gateway, platform: p } = await setup();
    await gateway.request({
      code: 2012,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, pin: SENSOR.pin, time: 1 },
    });
    const online = await gateway.request({
      code: 2020,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1", time: 1 },
    });
    expect(online.code).toBe(2021);
    expect(p.store.get(SENSOR.deviceId)?.online).toBe(true);
    await gateway.request({
      code: 2020,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "0", time: 1 },
    });
    expect(p.store.get(SENSOR.deviceId)?.online).toBe(false);
    // 5.4.3.3: a state report from a sub-device held offline brings it online.
    await gateway.request(temperatureReport("21"));
    expect(p.store.get(SENSOR.deviceId)).toMatchObject({ online: true, status: { "0": { TEMP: "21" } } });
    gateway.close();
    await new Promise<void>((resolve) => p.events.once("session-end", () => resolve()));
    expect(p.store.get(SENSOR.deviceId)?.online).toBe(false);
  });

  it("routes a control of a sub-device through its gateway", async () => {
    const { gateway, platform: p } = await setup();
    await gateway.request({
      code: 2020,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: LOCK.deviceId, onLine: "1", time: 1 },
    });
    const control = p.operations.control(LOCK.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "UNLOCK", cmdParam: "1" }],
    });
    const request = await gateway.next(2005);
    expect(request.body).toMatchObject({ deviceId: LOCK.deviceId });
    gateway.respond(request, 2004, { dscp: "", deviceId: LOCK.deviceId, time: 1 });
    await gateway.request({
      code: 2006,
      body: {
        deviceId: LOCK.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "LOCK", curStatusValue: "0" }] }],
        time: 1,
      },
    });
    expect(await control).toMatchObject({ result: 0, state: { "0": { LOCK: "0" } } });
  });

  it("accepts a bind report (2016, off by default in the emulators) for a sub-device of its own, 200001 otherwise", async () => {
    const { gateway, platform: p } = await setup();
    const bind = (subDeviceId: string) =>
      gateway.request({ code: 2016, body: { deviceId: GATEWAY.deviceId, subDeviceId, time: 1 } });
    p.store.setUnbound(SENSOR.deviceId, true);
    const response = await bind(SENSOR.deviceId);
    expect(response.code).toBe(2017);
    expect(response.body).toMatchObject({
      result: 0,
      deviceId: GATEWAY.deviceId,
      subDeviceId: SENSOR.deviceId,
    });
    expect(p.store.get(SENSOR.deviceId)?.unbound).toBe(false);
    expect((await bind(PLUG.deviceId)).body).toMatchObject({ result: 200001 });
  });

  it("unbinds: the platform's 2015 answered by 2014, and the gateway's own 2018 report", async () => {
    const { gateway, platform: p } = await setup();
    await gateway.request({
      code: 2020,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1", time: 1 },
    });
    const unbind = p.operations.unbind(GATEWAY.deviceId, SENSOR.deviceId);
    const request = await gateway.next(2015);
    expect(request.body).toMatchObject({ deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId });
    gateway.respond(request, 2014, { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, time: 1 });
    expect(await unbind).toEqual({ result: 0 });
    expect(p.store.get(SENSOR.deviceId)).toMatchObject({ unbound: true, online: false });
    const report = await gateway.request({
      code: 2018,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: LOCK.deviceId, time: 1 },
    });
    expect(report.body).toMatchObject({ result: 0, subDeviceId: LOCK.deviceId });
    expect(p.store.get(LOCK.deviceId)?.unbound).toBe(true);
  });

  it("refuses what the gateway sends about an unbound sub-device (200001) until a passed auth (2012) binds it again (5.4.3.10)", async () => {
    const { gateway, platform: p } = await setup();
    const send = (code: 2006 | 2020 | 2012, body: Record<string, unknown>) =>
      gateway.request({ code, body: { ...body, time: 1 } } as Parameters<typeof gateway.request>[0]);
    const stateReport = () =>
      send(2006, {
        deviceId: SENSOR.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "TEMP", curStatusValue: "21" }] }],
      });
    const onLine = () =>
      send(2020, { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1" });
    await gateway.request({
      code: 2018,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, time: 1 },
    });
    // A state report resent across the unbind, and a stale online report: refused, and it stays unbound.
    expect((await stateReport()).body).toMatchObject({ result: 200001, deviceId: SENSOR.deviceId });
    expect((await onLine()).body).toMatchObject({ result: 200001, subDeviceId: SENSOR.deviceId });
    expect(p.store.get(SENSOR.deviceId)).toMatchObject({ unbound: true, online: false });
    // Offline stays acceptable: nothing to undo.
    expect(
      (await send(2020, { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "0" })).body,
    ).toMatchObject({ result: 0 });
    // A passed auth binds it again; then its reports count.
    expect(
      (await send(2012, { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, pin: SENSOR.pin })).body,
    ).toMatchObject({ result: 0, authResult: "0" });
    expect((await onLine()).body).toMatchObject({ result: 0 });
    expect((await stateReport()).body).toMatchObject({ result: 0 });
    expect(p.store.get(SENSOR.deviceId)).toMatchObject({ unbound: false, online: true });
  });
});

describe("5.4.3.14-16 firmware upgrade", () => {
  it("serves the file, sends 2025 with its URL and MD5, and records the 2026 result", async () => {
    const { gateway, platform: p } = await setup();
    const image = Buffer.from("firmware image 2.0.0.0 for CT-GW-01");
    p.firmware.put("gw-2.0.0.0.bin", image);
    const upgrade = p.operations.upgrade(GATEWAY.deviceId, {
      version: "2.0.0.0",
      firmware: "gw-2.0.0.0.bin",
    });
    const notice = await gateway.next(2025);
    const { device } = notice.body as { device: { url: string; md5: string; version: string } };
    const downloaded = Buffer.from(await (await fetch(device.url)).arrayBuffer());
    expect(downloaded.equals(image)).toBe(true);
    expect(createHash("md5").update(downloaded).digest("hex")).toBe(device.md5);
    gateway.respond(notice, 2024, { deviceId: GATEWAY.deviceId, time: 1 });
    expect(await upgrade).toMatchObject({ result: 0, md5: device.md5 });
    const result = await gateway.request({
      code: 2026,
      body: { deviceId: GATEWAY.deviceId, type: "0", status: "0", version: "2.0.0.0", time: 1 },
    });
    expect(result.code).toBe(2027);
    expect(p.store.get(GATEWAY.deviceId)?.version.device).toBe("2.0.0.0");
    expect(p.store.get(GATEWAY.deviceId)?.events.at(-1)).toMatchObject({
      kind: "upgrade",
      body: { status: "0", version: "2.0.0.0" },
    });
  });

  it("records a failed upgrade (MD5 mismatch) without changing the version", async () => {
    const { gateway, platform: p } = await setup();
    await gateway.request({
      code: 2022,
      body: { deviceId: GATEWAY.deviceId, model: GATEWAY.model, device: { version: "1.0.0.0" }, time: 1 },
    });
    await gateway.request({
      code: 2026,
      body: { deviceId: GATEWAY.deviceId, type: "0", status: "1", version: "1.0.0.0", time: 1 },
    });
    expect(p.store.get(GATEWAY.deviceId)?.version.device).toBe("1.0.0.0");
    expect(p.store.get(GATEWAY.deviceId)?.events.at(-1)).toMatchObject({
      kind: "upgrade",
      body: { status: "1" },
    });
  });
});

describe("5.4.3.17-18 voice", () => {
  it("answers voice segments with 400002 until the last, then with the recognised text", async () => {
    const { gateway } = await setup();
    const segment = (sn: number, isLast: "0" | "1", text: string) => ({
      code: 3002 as const,
      body: {
        deviceId: GATEWAY.deviceId,
        ctrlParam: {
          format: "pcm" as const,
          voiceId: "v1",
          sn,
          isLast,
          audioData: Buffer.from(text).toString("base64"),
        },
        time: 1,
      },
    });
    // 5.4.3.17: the segments of one recording share a sequence.
    const first = await gateway.request(segment(1, "0", "把空调"));
    const sequence = gateway.sequence;
    const second = await gateway.requestWithSequence(segment(2, "0", "调到"), sequence);
    const last = await gateway.requestWithSequence(segment(3, "1", "28度"), sequence);
    expect(first.body).toMatchObject({ result: 400002 });
    expect(second.body).toMatchObject({ result: 400002 });
    expect(last.body).toMatchObject({ result: 0, ctrlResult: { rawText: "把空调调到28度" } });
  });

  it("synthesises speech deterministically, and answers 400001 for an unknown speaker", async () => {
    const { gateway } = await setup();
    const tts = (anchor?: string) =>
      gateway.request({
        code: 3000,
        body: {
          deviceId: GATEWAY.deviceId,
          ttsParam: { content: "已为您打开空调", ...(anchor ? { anchor } : {}) },
          time: 1,
        },
      });
    const a = await tts();
    const b = await tts();
    expect(a.body).toMatchObject({ result: 0 });
    const audio = (a.body as { ttsResult: { audioData: string } }).ttsResult.audioData;
    expect(audio).toBe((b.body as { ttsResult: { audioData: string } }).ttsResult.audioData);
    expect(Buffer.from(audio, "base64").toString()).toContain("已为您打开空调");
    expect((await tts("nobody")).body).toMatchObject({ result: 400001 });
  });
});

describe("MQTT fan-out", () => {
  it("publishes state, events and online changes that a real mqtt client receives", async () => {
    const { gateway, platform: p } = await setup({ mqtt: "embedded" });
    expect(p.addresses.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const client = await mqtt.connectAsync(p.addresses.mqtt ?? "");
    const received: Array<[string, unknown]> = [];
    const want = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.length >= n) resolve();
        };
        client.on("message", (topic, payload) => {
          received.push([topic, JSON.parse(payload.toString())]);
          check();
        });
      });
    await client.subscribeAsync(`hilfarm/devices/${SENSOR.deviceId}/#`);
    const three = want(3);
    await gateway.request({
      code: 2020,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1", time: 1 },
    });
    await gateway.request(temperatureReport("22"));
    await gateway.request({
      code: 2032,
      body: { deviceId: SENSOR.deviceId, event: [{ serialId: "0", eventName: "MOTION" }], time: 1 },
    });
    await three;
    await client.endAsync();
    expect(received).toEqual([
      [`hilfarm/devices/${SENSOR.deviceId}/online`, expect.objectContaining({ online: true })],
      [`hilfarm/devices/${SENSOR.deviceId}/state`, { "0": { TEMP: "22" } }],
      [`hilfarm/devices/${SENSOR.deviceId}/event`, { serialId: "0", eventName: "MOTION" }],
    ]);
  });

  it("keeps its client id and its topics on the embedded broker: a subscriber can neither end its session nor forge a device's state", async () => {
    const { gateway, platform: p } = await setup({ mqtt: "embedded" });
    const url = p.addresses.mqtt ?? "";
    await expect(
      mqtt.connectAsync(url, { clientId: `hilfarm-platform-${process.pid}`, reconnectPeriod: 0 }, false),
    ).rejects.toThrow(/not authorized/i);
    const client = await mqtt.connectAsync(url);
    const states: unknown[] = [];
    const platformState = new Promise<void>((resolve) =>
      client.on("message", (_t, payload) => {
        states.push(JSON.parse(payload.toString()));
        if (JSON.stringify(states.at(-1)) === '{"0":{"TEMP":"22"}}') resolve();
      }),
    );
    await client.subscribeAsync(`hilfarm/devices/${SENSOR.deviceId}/state`);
    const hostile = await mqtt.connectAsync(url, { reconnectPeriod: 0 }, false);
    const hostileClosed = new Promise<void>((resolve) => hostile.once("close", () => resolve()));
    hostile.publish(`hilfarm/devices/${SENSOR.deviceId}/state`, JSON.stringify({ "0": { TEMP: "99" } }), {
      retain: true,
    });
    await hostileClosed;
    await hostile.endAsync(true);
    await gateway.request(temperatureReport("22"));
    await platformState;
    await client.endAsync();
    // Only the platform's own state reached the subscriber: the forged one was refused, not relayed.
    expect(states).toEqual([{ "0": { TEMP: "22" } }]);
  });

  it("publishes to an external broker given by URL (--mqtt-url)", async () => {
    const external = await startEmbeddedBroker();
    try {
      const { gateway, platform: p } = await setup({ mqtt: { url: external.url } });
      expect(p.addresses.mqtt).toBe(external.url);
      const client = await mqtt.connectAsync(external.url);
      await client.subscribeAsync(`hilfarm/devices/${SENSOR.deviceId}/online`);
      const message = new Promise<unknown>((resolve) =>
        client.once("message", (_t, payload) => resolve(JSON.parse(payload.toString()))),
      );
      await gateway.request({
        code: 2020,
        body: { deviceId: GATEWAY.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1", time: 1 },
      });
      expect(await message).toMatchObject({ online: true });
      await client.endAsync();
      await p.close();
    } finally {
      await external.close();
    }
  });
});
