import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../../harness/random/random.ts";
import type { ProfileModel } from "../../profiles/profile-model.ts";
import { lanIdentity } from "./lan-identity.ts";
import {
  contextOf,
  LAN_SEED,
  type LanWorld,
  type LanWorldOptions,
  startLanWorld,
} from "./testing/lan-world.ts";

let world: LanWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(options: LanWorldOptions = {}): Promise<LanWorld> {
  world = await startLanWorld(options);
  return world;
}

describe("6.2.1 discovery on a real UDP socket", () => {
  it("answers a search for its model and one for all models with its id, mac, model and lanControl", async () => {
    const w = await start();
    const s = await w.searcher();
    const identity = lanIdentity(seededRandom(LAN_SEED), w.device.deviceId);
    for (const model of ["CT-AC-01", ""]) {
      s.search(model);
      expect(await s.next()).toMatchObject({
        code: 0,
        deviceId: w.device.deviceId,
        mac: identity.mac,
        model: "CT-AC-01",
        protocol: 0,
        lanControl: 1,
      });
    }
    expect(w.lan.counters.answers).toBe(2);
  });

  it("stays silent for another model, and drops a malformed datagram without an answer", async () => {
    const w = await start();
    const s = await w.searcher();
    s.search("LOCK-01");
    s.send(Buffer.from([200, 1, 2]));
    s.send(Buffer.alloc(400, 7));
    s.search("CT-AC-01", 7);
    // The first answer that arrives is the one to the last search: the three before it got none.
    expect(await s.next()).toMatchObject({ deviceId: w.device.deviceId });
    expect(w.lan.counters).toMatchObject({ answers: 1, otherModel: 1, malformedSearches: 2 });
  });

  it("is in the onConfig window, with its bindKey, for 120 s after power-on; then onConfig 0 and bindKey 0", async () => {
    const w = await start();
    const s = await w.searcher();
    const { bindKey } = lanIdentity(seededRandom(LAN_SEED), w.device.deviceId);
    await w.clock.advanceAsync(w.poweredOnAt + 119_999 - w.clock.now());
    s.search("");
    expect(await s.next()).toMatchObject({ onConfig: 1, bindKey });
    await w.clock.advanceAsync(1);
    s.search("");
    expect(await s.next()).toMatchObject({ onConfig: 0, bindKey: 0n });
    // A power cycle opens the window again, as long as no user has added the device.
    w.device.reboot();
    s.search("");
    expect(await s.next()).toMatchObject({ onConfig: 1, bindKey });
  });

  it("leaves the onConfig window for good once an app has authenticated (the device has been added)", async () => {
    const w = await start();
    const s = await w.searcher();
    await w.authed();
    expect(w.lan.configured).toBe(true);
    w.device.reboot();
    s.search("CT-AC-01");
    expect(await s.next()).toMatchObject({ onConfig: 0, bindKey: 0n });
  });

  it("says lanControl 0 until the device has logged in to the platform", async () => {
    // The platform knows no such device: every login fails, the device is on but never authorised.
    const w = await start({ online: false, world: { unregistered: () => true } });
    w.device.powerOn();
    await w.clock.runUntil(() => w.device.state === "backoff");
    const s = await w.searcher();
    s.search("");
    expect(await s.next()).toMatchObject({ lanControl: 0, onConfig: 1 });
  });
});

describe("6.2.2 authentication on the control port", () => {
  it("accepts the lanKey the platform gives for the device's PIN, in clear, then talks sealed", async () => {
    const w = await start();
    const c = await w.client();
    expect(await c.auth(w.device.deviceId, w.pin)).toEqual({ cmd: "resp", code: 0 });
    c.send({ cmd: "query", to: w.device.deviceId, mid: "1" });
    expect(await c.next()).toMatchObject({ cmd: "resp", mid: "1", code: 0 });
  });

  it("answers a wrong lanKey 200003 in clear and closes the connection", async () => {
    const w = await start();
    const c = await w.client();
    const answer = await c.auth(w.device.deviceId, w.pin, { lanKey: "00112233445566778899aabbccddeeff" });
    expect(answer).toEqual({ cmd: "resp", code: 200003 });
    await c.closed;
    expect(w.lan.counters.closed["auth-refused"]).toBe(1);
  });

  it("gets the lanKey from the platform's API, as an app does", async () => {
    const w = await start();
    const rand = "0000000000000042";
    const response = await fetch(`${w.platform.addresses.http}/api/devices/${w.device.deviceId}/lan-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rand }),
    });
    const { lanKey, liveTime } = (await response.json()) as { lanKey: string; liveTime: number };
    const c = await w.client();
    expect(await c.auth(w.device.deviceId, w.pin, { rand, lanKey, liveTime: String(liveTime) })).toEqual({
      cmd: "resp",
      code: 0,
    });
  });

  it("closes the connection when the lanKey's liveTime has passed; a new auth works again", async () => {
    const w = await start();
    const c = await w.authed("60");
    await w.clock.advanceAsync(59_999);
    expect(c.isClosed).toBe(false);
    await w.clock.advanceAsync(1);
    await c.closed;
    expect(w.lan.counters.closed["lan-key-expired"]).toBe(1);
    const again = await w.authed("60");
    again.send({ cmd: "query", to: w.device.deviceId, mid: "2" });
    expect(await again.next()).toMatchObject({ cmd: "resp", mid: "2", code: 0 });
  });

  it("closes a client that does not authenticate within 10 s", async () => {
    const w = await start();
    const c = await w.client();
    c.sendRaw("not a frame\r\n");
    await w.clock.advanceAsync(9_999);
    expect(c.isClosed).toBe(false);
    await w.clock.advanceAsync(1);
    await c.closed;
    expect(w.lan.counters).toMatchObject({ droppedFrames: 1, closed: { "auth-deadline": 1 } });
  });
});

describe("6.2.3-6.2.5 query, opt and posts: one state", () => {
  it("answers a query with the same mid, as, asc, and the faults the device reported", async () => {
    const w = await start();
    const c = await w.authed();
    c.send({ cmd: "query", to: w.device.deviceId, mid: "0001233" });
    expect(await c.next()).toEqual({
      cmd: "resp",
      mid: "0001233",
      code: 0,
      as: { "1": 0, "2": 1, "3": 26, "4": 28 },
      asc: { "4": 1 },
    });
    const model = w.device.model as ProfileModel;
    await w.clock.runUntilSettled(model.raiseFault(contextOf(w.device), "COMPRESSOR"));
    expect(await c.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: {}, fids: [1] });
    c.send({ cmd: "query", to: w.device.deviceId, mid: "2" });
    expect(await c.next()).toMatchObject({ mid: "2", fids: [1] });
  });

  it("posts an upgrade from its notice (2025) to its result (2026); a query after it carries no ota", async () => {
    const w = await start();
    const c = await w.authed();
    w.platform.firmware.put("ac.bin", Buffer.from("air conditioner firmware 9"));
    const upgrade = w.platform.operations.upgrade(w.device.deviceId, {
      version: "9.0.0.0",
      firmware: "ac.bin",
    });
    expect(await w.clock.runUntilSettled(upgrade)).toMatchObject({ result: 0 });
    // 6.2.3 ota: [1 device, stage, percent]; stage 1 starts the download, 7 is a successful upgrade.
    expect(await c.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: {}, ota: [1, 1, 0] });
    expect(await c.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: {}, ota: [1, 7, 100] });
    c.send({ cmd: "query", to: w.device.deviceId, mid: "after" });
    expect(await c.next()).not.toHaveProperty("ota");
  });

  it("applies an opt, answers a post with its mid, tells the other clients, and reports it to the platform", async () => {
    const w = await start();
    const [a, b] = [await w.authed(), await w.authed()];
    a.send({ cmd: "opt", mid: "111222", to: w.device.deviceId, as: { "1": 1, "3": 20 } });
    expect(await a.next()).toEqual({
      cmd: "post",
      mid: "111222",
      from: w.device.deviceId,
      as: { "1": 1, "3": 20 },
    });
    expect(await b.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: { "1": 1, "3": 20 } });
    await w.clock.runUntil(() => w.platform.store.get(w.device.deviceId)?.status["0"]?.POWER === "1");
    const api = await fetch(`${w.platform.addresses.http}/api/devices/${w.device.deviceId}`);
    expect(await api.json()).toMatchObject({ status: { "0": { POWER: "1", TEMP: "20" } } });
    // The report the opt caused is no news to the clients: the next thing each hears is its own query's answer.
    for (const [client, mid] of [
      [a, "q1"],
      [b, "q2"],
    ] as const) {
      client.send({ cmd: "query", to: w.device.deviceId, mid });
      expect(await client.next()).toMatchObject({ cmd: "resp", mid });
    }
  });

  it("posts a control from the platform, and a change the device makes itself, to every authenticated client", async () => {
    const w = await start();
    const c = await w.authed();
    const control = w.platform.operations.control(w.device.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_MODE", cmdParam: "3" }],
    });
    expect(await w.clock.runUntilSettled(control)).toMatchObject({ result: 0 });
    expect(await c.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: { "2": 3 } });
    const model = w.device.model as ProfileModel;
    await w.clock.runUntilSettled(model.setStatus(contextOf(w.device), "0", "ROOM_TEMP", "31"));
    expect(await c.next()).toEqual({ cmd: "post", from: w.device.deviceId, as: { "4": 31 } });
  });

  it("refuses an opt on a read-only attribute (300002) and a value out of range (100001), with the mid", async () => {
    const w = await start();
    const c = await w.authed();
    c.send({ cmd: "opt", mid: "9", to: w.device.deviceId, as: { "4": 20 } });
    expect(await c.next()).toEqual({ cmd: "resp", mid: "9", code: 300002 });
    c.send({ cmd: "opt", mid: "10", to: w.device.deviceId, as: { "3": 31 } });
    expect(await c.next()).toEqual({ cmd: "resp", mid: "10", code: 100001 });
    expect((w.device.model as ProfileModel).status["0"]).toMatchObject({ TEMP: "26", ROOM_TEMP: "28" });
  });

  it("keeps an opt made while offline, and reports it with the full state after the next connect", async () => {
    const w = await start();
    const c = await w.authed();
    await w.platform.close();
    await w.clock.runUntil(() => w.device.state !== "online");
    c.send({ cmd: "opt", mid: "3", to: w.device.deviceId, as: { "1": 1 } });
    expect(await c.next()).toMatchObject({ cmd: "post", mid: "3", as: { "1": 1 } });
    expect((w.device.model as ProfileModel).status["0"]?.POWER).toBe("1");
  });

  it("serves a gateway's own statuses", async () => {
    const w = await start({
      profile: "zigbee-gateway",
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] },
        ],
      },
    });
    const c = await w.authed();
    c.send({ cmd: "opt", mid: "1", to: w.device.deviceId, as: { "1": 1 } });
    expect(await c.next()).toEqual({ cmd: "post", mid: "1", from: w.device.deviceId, as: { "1": 1 } });
    await w.clock.runUntil(() => w.platform.store.get(w.device.deviceId)?.status["0"]?.PERMIT_JOIN === "1");
  });

  it("closes every client when the device powers off, and takes none while it is off", async () => {
    const w = await start();
    const c = await w.authed();
    w.device.powerOff();
    await c.closed;
    const late = await w.client();
    await late.closed;
    expect(w.lan.counters.refusedClients).toBe(1);
  });
});
