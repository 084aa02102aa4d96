import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { splitAddress } from "../../harness/link/socket-link.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { McStreamDecoder } from "../../harness/protocol/mc/stream-decoder.ts";
import { LinkClosed, ScriptedDevice } from "../device/scripted-device.ts";
import type { Platform } from "./platform.ts";
import { GATEWAY, PLUG, SENSOR, startTestPlatform } from "./testing/fixtures.ts";

let clock: VirtualClock;
let platform: Platform;
const devices: ScriptedDevice[] = [];

const device = (d: { deviceId: string; pin: string }) => {
  const scripted = new ScriptedDevice(d.deviceId, d.pin);
  devices.push(scripted);
  return scripted;
};

async function online(d: { deviceId: string; pin: string }, transport: "tcp" | "udp" = "tcp") {
  const scripted = device(d);
  await scripted.login(platform.addresses.login);
  await scripted.connect(transport);
  return scripted;
}

beforeEach(async () => {
  clock = new VirtualClock();
  platform = await startTestPlatform(clock);
});

afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  await platform.close();
});

describe("5.4.2.1 login", () => {
  it("answers a valid 1002 with a PIN-encrypted 1003 that echoes the sequence", async () => {
    const plug = device(PLUG);
    const body = await plug.login(platform.addresses.login);
    expect(body.result).toBe(0);
    expect(body.sequence).toBe("100");
    expect(body.token).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(body.sessionKey).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(body.tcpHost).toBe(platform.addresses.tcp);
    expect(body.udpHost).toBe(platform.addresses.udp);
    expect(body.time).toBe(Math.floor(clock.now() / 1000));
  });

  it("seals the 1003 with the PIN of the device whose 1002 it answers, another device's 1002 in the same read", async () => {
    const loginOf = (d: { deviceId: string; pin: string }, sequence: string) =>
      encodeFrame(
        { code: 1002, body: { sequence, deviceId: d.deviceId, version: "1.0.0.1", time: 1767225600 } },
        { key: CipherKey.fromPin(d.pin) },
      );
    const { host, port } = splitAddress(platform.addresses.login);
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    // One write: both frames reach the login server in one read, the plug's first.
    socket.write(Buffer.concat([loginOf(PLUG, "7"), loginOf(GATEWAY, "8")]));
    await closed;
    const answers = (pin: string) =>
      new McStreamDecoder({ keyFor: () => CipherKey.fromPin(pin) }).push(Buffer.concat(chunks));
    const [answer] = answers(PLUG.pin);
    expect(answer?.ok && answer.value.message).toMatchObject({
      code: 1003,
      body: { result: 0, sequence: "7" },
    });
    expect(answers(PLUG.pin)).toHaveLength(1);
    expect(answers(GATEWAY.pin).map((outcome) => outcome.ok)).toEqual([false]);
  });

  it("closes without an answer on a wrong PIN, an unknown device, and a clear/encrypted deviceId mismatch", async () => {
    await expect(
      device(PLUG).login(platform.addresses.login, { pin: "WRONGPIN0123456789abcdefghijklmn" }),
    ).rejects.toThrow(LinkClosed);
    await expect(
      device({ deviceId: "ffffffffffffffffffffffff", pin: PLUG.pin }).login(platform.addresses.login),
    ).rejects.toThrow(LinkClosed);
    // Encrypted with the gateway's PIN, so it decrypts, but the body names another device.
    const impostor = device({ deviceId: PLUG.deviceId, pin: GATEWAY.pin });
    await expect(
      impostor.login(platform.addresses.login, { clearDeviceId: GATEWAY.deviceId }),
    ).rejects.toThrow(LinkClosed);
    const metrics = await platform.metrics.text();
    expect(metrics).toMatch(/hilfarm_platform_logins_total\{outcome="wrong_pin"\} 1/);
    expect(metrics).toMatch(/hilfarm_platform_logins_total\{outcome="unknown_device"\} 1/);
    expect(metrics).toMatch(/hilfarm_platform_logins_total\{outcome="device_id_mismatch"\} 1/);
  });
});

describe("5.4.2.2 connect", () => {
  for (const transport of ["tcp", "udp"] as const) {
    it(`over ${transport}: 1005 carries heartBeat and authInterval, and the device is online`, async () => {
      const plug = device(PLUG);
      await plug.login(platform.addresses.login);
      const body = await plug.connect(transport);
      expect(body).toMatchObject({ result: 0, sequence: "100", heartBeat: 30, authInterval: 600 });
      expect(platform.store.get(PLUG.deviceId)).toMatchObject({ online: true, transport });
    });
  }

  it("closes a TCP connect whose encrypted token is forged, without an answer", async () => {
    const plug = device(PLUG);
    await plug.login(platform.addresses.login);
    const connecting = plug.connect("tcp", { bodyToken: "forgedtoken12345" });
    await plug.closed();
    expect(plug.received).toEqual([]);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(false);
    void connecting.catch(() => undefined);
  });
});

describe("5.4.2.3 heartbeat and supervision", () => {
  it("answers a heartbeat at once with the same sequence", async () => {
    const plug = await online(PLUG);
    const response = await plug.request({ code: 1000, body: { token: plug.token ?? "", time: 1 } });
    expect(response.code).toBe(1001);
    expect(response.body).toMatchObject({ result: 0, sequence: "101" });
  });

  it("declares a device offline at exactly 3 x heartbeat + 10 s without a message, not 1 ms earlier", async () => {
    const plug = await online(PLUG);
    const connectedAt = clock.now();
    await clock.runUntil(connectedAt + 100_000 - 1);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(true);
    await clock.runUntil(connectedAt + 100_000);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(false);
    await plug.closed();
  });

  it("counts any message as life: a state report postpones the offline deadline", async () => {
    const plug = await online(PLUG);
    await clock.advanceAsync(90_000);
    await plug.request({ code: 2006, body: { deviceId: PLUG.deviceId, statusSerials: [], time: 1 } });
    const reportedAt = clock.now();
    await clock.runUntil(reportedAt + 99_999);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(true);
    await clock.runUntil(reportedAt + 100_000);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(false);
  });
});

describe("5.2.2 item 5 sequences", () => {
  it("answers a retransmission again but applies it once", async () => {
    const plug = await online(PLUG);
    const event = { deviceId: PLUG.deviceId, event: [{ serialId: "0", eventName: "ALARM_RING" }], time: 1 };
    const first = await plug.request({ code: 2032, body: event });
    const again = await plug.requestWithSequence({ code: 2032, body: event }, plug.sequence);
    expect(first.body).toEqual(again.body);
    expect(platform.store.get(PLUG.deviceId)?.events).toHaveLength(1);
  });

  it("answers an out-of-order sequence with 100001 naming the expected one, and does not apply it", async () => {
    const plug = await online(PLUG);
    const response = await plug.requestWithSequence(
      {
        code: 2006,
        body: {
          deviceId: PLUG.deviceId,
          statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
          time: 1,
        },
      },
      500,
    );
    expect(response.body).toMatchObject({ result: 100001, sequence: "500", dscp: "expected sequence 101" });
    expect(platform.store.get(PLUG.deviceId)?.status).toEqual({});
  });

  it("wraps the device's sequence from 65535 to 0", async () => {
    const plug = device(PLUG);
    plug.sequence = 65535;
    await plug.login(platform.addresses.login);
    await plug.connect("tcp");
    const response = await plug.request({ code: 1000, body: { token: plug.token ?? "", time: 1 } });
    expect(response.body).toMatchObject({ result: 0, sequence: "0" });
  });
});

describe("5.2 platform requests: resend after 10 s with the same sequence, drop after 3 failed sends", () => {
  it("resends a control twice at 10 s intervals, then drops the session and answers the API with 504", async () => {
    const plug = await online(PLUG);
    await plug.request({ code: 2006, body: { deviceId: PLUG.deviceId, statusSerials: [], time: 1 } });
    const sentAt = clock.now();
    const control = platform.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    const outcome = control.then(
      () => "answered",
      (error: { code: string }) => error.code,
    );
    const sends: Array<[number, string]> = [];
    for (let i = 0; i < 3; i++) {
      const request = await clock.runUntilSettled(plug.next(2005));
      sends.push([clock.now() - sentAt, (request.body as { sequence: string }).sequence]);
    }
    expect(sends.map(([at]) => at)).toEqual([0, 10_000, 20_000]);
    expect(new Set(sends.map(([, seq]) => seq)).size).toBe(1);
    expect(await clock.runUntilSettled(outcome)).toBe("DEVICE_TIMEOUT");
    expect(clock.now() - sentAt).toBe(30_000);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(false);
    expect(await platform.metrics.text()).toMatch(/hilfarm_platform_resends_total 2/);
  });
});

describe("5.4.2 (3) a new connection ends the old session", () => {
  it("closes the first connection when the device logs in again and connects with the new token", async () => {
    const first = await online(PLUG);
    const firstToken = first.token;
    const second = device(PLUG);
    await second.login(platform.addresses.login);
    // The login alone moves nothing: it may be a replay (docs/protocol-readings.md, "The reference platform" >
    // Replays).
    expect(platform.sessionOf(PLUG.deviceId)?.token).toBe(firstToken);
    await second.connect("tcp");
    await first.closed();
    expect(platform.sessionOf(PLUG.deviceId)?.token).toBe(second.token);
    expect(platform.store.get(PLUG.deviceId)?.online).toBe(true);
  });
});

describe("5.4.3 business messages", () => {
  it("control through the operations: 2005 to the device, its 2004, then the state it reports", async () => {
    const plug = await online(PLUG);
    const control = platform.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    const request = await plug.next(2005);
    expect(request.body).toMatchObject({
      deviceId: PLUG.deviceId,
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    plug.respond(request, 2004, { dscp: "ok", deviceId: PLUG.deviceId, time: 1 });
    await plug.request({
      code: 2006,
      body: {
        deviceId: PLUG.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
        time: 1,
      },
    });
    expect(await control).toEqual({ result: 0, dscp: "ok", state: { "0": { POWER: "1" } } });
  });

  it("control answers state null when no report comes within 10 s", async () => {
    const plug = await online(PLUG);
    const control = platform.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    plug.respond(await plug.next(2005), 2004, { dscp: "", deviceId: PLUG.deviceId, time: 1 });
    expect(await clock.runUntilSettled(control)).toEqual({ result: 0, dscp: "", state: null });
  });

  it("query, resource management, attribute constraint: each request answered by its response code", async () => {
    const plug = await online(PLUG);
    const answer = async (code: number, responseCode: number) => {
      const request = await plug.next(code);
      plug.respond(request, responseCode, { deviceId: PLUG.deviceId, time: 1 });
      return request;
    };
    const query = platform.operations.query(PLUG.deviceId);
    await answer(2003, 2002);
    expect(await clock.runUntilSettled(query)).toEqual({ result: 0, state: null });
    const resources = platform.operations.manageResources(PLUG.deviceId, [
      {
        serialId: "0",
        resourceSerial: [{ resourceName: "KEY_LIST", resourceInfo: [{ KEY_ID: "1", MODE: "1" }] }],
      },
    ]);
    expect((await answer(2031, 2030)).body).toMatchObject({ resourceSerials: [{ serialId: "0" }] });
    expect(await resources).toEqual({ result: 0 });
    const constrain = platform.operations.constrain(PLUG.deviceId, { POWER: "1" });
    expect((await answer(2001, 2000)).body).toMatchObject({ asc: { POWER: "1" } });
    expect(await constrain).toEqual({ result: 0 });
    expect(platform.store.get(PLUG.deviceId)?.constraints).toEqual({ POWER: "1" });
  });

  it("reports: state and resources (multi-part), resource change, event, alarm, fault, version", async () => {
    const plug = await online(PLUG);
    const ok = (m: McMessage) => expect(m.body).toMatchObject({ result: 0, deviceId: PLUG.deviceId });
    const filter = (id: string, life: string) => ({ CONSUM_ID: id, REMAIN_LIFE: life });
    ok(
      await plug.request({
        code: 2006,
        body: {
          deviceId: PLUG.deviceId,
          statusSerials: [],
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [{ resourceName: "CONSUM", resourceInfo: [filter("1", "80")] }],
            },
          ],
          time: 1,
        },
      }),
    );
    await clock.advanceAsync(60_000);
    ok(
      await plug.request({
        code: 2006,
        body: {
          deviceId: PLUG.deviceId,
          statusSerials: [],
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [{ resourceName: "CONSUM", resourceInfo: [filter("2", "50")] }],
            },
          ],
          time: 1,
        },
      }),
    );
    expect(platform.store.get(PLUG.deviceId)?.resources[0]?.resourceSerial[0]?.resourceInfo).toHaveLength(2);
    ok(
      await plug.request({
        code: 2028,
        body: {
          deviceId: PLUG.deviceId,
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [{ resourceName: "CONSUM", resourceInfo: [{ CONSUM_ID: "1", MODE: "3" }] }],
            },
          ],
          time: 1,
        },
      }),
    );
    expect(platform.store.get(PLUG.deviceId)?.resources[0]?.resourceSerial[0]?.resourceInfo).toEqual([
      filter("2", "50"),
    ]);
    // 5.4.3.3: a part after a gap of more than 4 heartbeats (120 s) starts a new full report.
    await clock.advanceAsync(60_000);
    expect(
      (await plug.request({ code: 1000, body: { token: plug.token ?? "", time: 1 } })).body,
    ).toMatchObject({ result: 0 });
    await clock.advanceAsync(61_000);
    ok(
      await plug.request({
        code: 2006,
        body: {
          deviceId: PLUG.deviceId,
          statusSerials: [],
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [{ resourceName: "CONSUM", resourceInfo: [filter("3", "99")] }],
            },
          ],
          time: 1,
        },
      }),
    );
    expect(platform.store.get(PLUG.deviceId)?.resources[0]?.resourceSerial[0]?.resourceInfo).toEqual([
      filter("3", "99"),
    ]);
    ok(
      await plug.request({
        code: 2032,
        body: {
          deviceId: PLUG.deviceId,
          event: [{ eventId: "1", serialId: "0", eventName: "LOCK_OPEN", eventInfo: [{ KEY_ID: "1" }] }],
          time: 1,
        },
      }),
    );
    ok(
      await plug.request({
        code: 2008,
        body: {
          deviceId: PLUG.deviceId,
          alarm: { serialId: "0", statusName: "TEMP", curStatusValue: "40", dscp: "too hot", alarmTime: 1 },
          time: 1,
        },
      }),
    );
    ok(
      await plug.request({
        code: 2010,
        body: {
          deviceId: PLUG.deviceId,
          error: { serialId: "0", errorCode: "E1", errorInfo: "relay stuck", errorTime: 1 },
          time: 1,
        },
      }),
    );
    ok(
      await plug.request({
        code: 2022,
        body: {
          deviceId: PLUG.deviceId,
          model: PLUG.model,
          device: { version: "1.0.0.1" },
          modules: [{ name: "wifi", version: "2.0.0.0" }],
          time: 1,
        },
      }),
    );
    const record = platform.store.get(PLUG.deviceId);
    expect(record?.events.map((e) => e.kind)).toEqual(["event", "alarm", "fault"]);
    expect(record?.version).toEqual({ device: "1.0.0.1", modules: { wifi: "2.0.0.0" } });
  });

  it("answers a report about a device that is not this gateway's with 200001", async () => {
    const plug = await online(PLUG);
    const response = await plug.request({
      code: 2006,
      body: { deviceId: SENSOR.deviceId, statusSerials: [], time: 1 },
    });
    expect(response.body).toMatchObject({ result: 200001 });
  });
});
