import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { ScriptedDevice } from "../device/scripted-device.ts";
import type { Platform } from "./platform.ts";
import { GATEWAY, PLUG, SENSOR, startTestPlatform } from "./testing/fixtures.ts";

let platform: Platform | undefined;
let clock: VirtualClock;
const devices: ScriptedDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  await platform?.close();
  platform = undefined;
});

async function online(d: { deviceId: string; pin: string }, transport: "tcp" | "udp" = "tcp") {
  clock ??= new VirtualClock();
  platform ??= await startTestPlatform(clock);
  const scripted = new ScriptedDevice(d.deviceId, d.pin);
  devices.push(scripted);
  await scripted.login(platform.addresses.login);
  await scripted.connect(transport);
  return { device: scripted, platform };
}

describe("answers that could not be built never reach the socket as an exception", () => {
  it("a gateway request naming a device that is not its own gets 200001 with the ids it named", async () => {
    clock = new VirtualClock();
    const { device } = await online(GATEWAY);
    const online2020 = await device.request({
      code: 2020,
      body: { deviceId: PLUG.deviceId, subDeviceId: SENSOR.deviceId, onLine: "1", time: 1 },
    });
    expect(online2020.body).toMatchObject({
      result: 200001,
      deviceId: PLUG.deviceId,
      subDeviceId: SENSOR.deviceId,
    });
    const auth = await device.request({
      code: 2012,
      body: { deviceId: PLUG.deviceId, subDeviceId: SENSOR.deviceId, pin: "x", time: 1 },
    });
    expect(auth.body).toMatchObject({ result: 200001, authResult: "1" });
    const heartbeat = await device.request({ code: 1000, body: { token: device.token ?? "", time: 1 } });
    expect(heartbeat.body).toMatchObject({ result: 0 });
  });

  it("a 1002 on an open session is dropped, and the session goes on", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG);
    device.sendRaw({ code: 1002, body: { sequence: "7", deviceId: PLUG.deviceId, version: "1", time: 1 } });
    const heartbeat = await device.request({ code: 1000, body: { token: device.token ?? "", time: 1 } });
    expect(heartbeat.body).toMatchObject({ result: 0 });
    expect(p.store.get(PLUG.deviceId)?.online).toBe(true);
  });

  it("a gateway cannot report itself unbound (2018)", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(GATEWAY);
    const report = await device.request({
      code: 2018,
      body: { deviceId: GATEWAY.deviceId, subDeviceId: GATEWAY.deviceId, time: 1 },
    });
    expect(report.body).toMatchObject({ result: 200001 });
    expect(p.store.get(GATEWAY.deviceId)).toMatchObject({ online: true, unbound: false });
  });
});

describe("failed sends are counted per request, one request in flight (5.2)", () => {
  it("two unanswered requests: the first is sent 3 times and the session drops at 30 s; the second waits its turn and is never sent", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG);
    const sentAt = clock.now();
    const a = p.operations.query(PLUG.deviceId).catch((e: { code: string }) => e.code);
    const b = p.operations.constrain(PLUG.deviceId, { POWER: "1" }).catch((e: { code: string }) => e.code);
    await clock.runUntilSettled(Promise.all([a, b]));
    expect([await a, await b]).toEqual(["DEVICE_TIMEOUT", "OFFLINE"]);
    expect(clock.now() - sentAt).toBe(30_000);
    const sends = (code: number) => device.received.filter((m) => m.code === code).length;
    expect([sends(2003), sends(2001)]).toEqual([3, 0]);
  });
});

describe("the state report is awaited from the device's answer (5.4.3.2)", () => {
  it("a control answered only after a resend still returns the state reported after the answer", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG);
    const control = p.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    await device.next(2005);
    const resent = await clock.runUntilSettled(device.next(2005));
    device.respond(resent, 2004, { dscp: "", deviceId: PLUG.deviceId, time: 1 });
    await clock.advanceAsync(2_000);
    await device.request({
      code: 2006,
      body: {
        deviceId: PLUG.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
        time: 1,
      },
    });
    expect(await clock.runUntilSettled(control)).toMatchObject({ state: { "0": { POWER: "1" } } });
  });

  it("closing the platform leaves no timer behind", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG);
    const control = p.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    device.respond(await device.next(2005), 2004, { dscp: "", deviceId: PLUG.deviceId, time: 1 });
    await clock.advanceAsync(1);
    await p.close();
    expect(await control).toMatchObject({ state: null });
    expect(
      clock.pending().filter((t) => t.name !== "connect-timeout" && t.name !== "login-connection-timeout"),
    ).toEqual([]);
  });
});

describe("UDP sessions", () => {
  it("a repeated 1004 (its 1005 lost) is answered again on the same session, not a new one", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG, "udp");
    const session = p.sessionOf(PLUG.deviceId);
    const ends: string[] = [];
    p.events.on("session-end", ({ reason }) => ends.push(reason));
    const again = device.next(1005);
    device.sendRaw({
      code: 1004,
      body: {
        sequence: "100",
        token: device.token ?? "",
        devVersion: "1.0.0.1",
        model: "CT-TEST-01",
        time: 1,
      },
    });
    expect((await again).body).toMatchObject({ result: 0, sequence: "100" });
    expect(p.sessionOf(PLUG.deviceId)).toBe(session);
    expect(ends).toEqual([]);
  });

  it("a replayed datagram from another address does not move the session's reply address", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG, "udp");
    const remote = p.sessionOf(PLUG.deviceId)?.channel.remote;
    const frame = encodeFrame(
      { code: 1000, body: { sequence: "100", token: device.token ?? "", time: 1 } },
      { key: CipherKey.fromSessionKey(device.sessionKey ?? ""), token: device.token ?? "" },
    );
    const other = createSocket("udp4");
    await new Promise<void>((resolve) => other.bind(0, "127.0.0.1", () => resolve()));
    const [host, port] = (device.udpHost ?? "").split(":");
    await new Promise<void>((resolve) => other.send(frame, Number(port), host, () => resolve()));
    await clock.advanceAsync(1);
    other.close();
    expect(p.sessionOf(PLUG.deviceId)?.channel.remote).toBe(remote);
  });
});

describe("resource reports (5.4.3.3)", () => {
  it("the same full resource list reported twice within the window is not duplicated", async () => {
    clock = new VirtualClock();
    const { device, platform: p } = await online(PLUG);
    const report = () =>
      device.request({
        code: 2006,
        body: {
          deviceId: PLUG.deviceId,
          statusSerials: [],
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [
                {
                  resourceName: "CONSUM",
                  resourceInfo: [
                    { CONSUM_ID: "1", REMAIN_LIFE: "80" },
                    { CONSUM_ID: "2", REMAIN_LIFE: "70" },
                  ],
                },
              ],
            },
          ],
          time: 1,
        },
      });
    await report();
    await clock.advanceAsync(60_000);
    await report();
    expect(p.store.get(PLUG.deviceId)?.resources[0]?.resourceSerial[0]?.resourceInfo).toHaveLength(2);
  });
});
