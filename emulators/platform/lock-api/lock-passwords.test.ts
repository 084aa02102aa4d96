import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startWorld } from "../../testing/world.ts";
import { LockPasswords } from "./lock-passwords.ts";
import { DeliveryStatus, WifiPhase, ZigbeePhase } from "./temp-passwords.ts";
import { type LockWorld, startLockWorld } from "./testing/lock-world.ts";

type World = LockWorld["w"];
let world: LockWorld | undefined;
afterEach(async () => {
  await world?.w.close();
  world = undefined;
});

async function lockWorld(powerOn = true) {
  if (!powerOn) {
    // A fleet never powered on: every lock offline.
    const w = await startWorld({
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-lock", count: 1 }] },
        ],
      },
    });
    world = { w } as LockWorld;
    const zigbeeId = w.plan.devices[0]?.subDevices[0]?.deviceId ?? "";
    return { w, passwords: passwordsOf(w), wifiId: "", zigbeeId };
  }
  world = await startLockWorld();
  const { w, wifiId, zigbeeId, typeAtZigbee, zigbeeRange } = world;
  return { w, passwords: passwordsOf(w), wifiId, zigbeeId, typeAtZigbee, zigbeeRange };
}

const passwordsOf = (w: World) =>
  new LockPasswords({
    store: w.platform.store,
    operations: w.platform.operations,
    logger: pino({ level: "silent" }),
  });

const window = (w: World) => {
  const now = Math.floor(w.clock.now() / 1000);
  return { effectiveTime: now - 60, invalidTime: now + 3600 };
};

describe("temporary passwords that reach the lock (2031 KEY_LIST orders)", () => {
  it("a Wi-Fi lock's password is delivered, then opens the lock when typed, and the platform sees the opening", async () => {
    const { w, passwords, wifiId } = await lockWorld();
    const created = passwords.create(wifiId, {
      name: "guest",
      code: "1234567",
      singleUse: false,
      ...window(w),
    });
    if (!created.ok) throw new Error(created.message);
    expect(created.password).toMatchObject({
      phase: WifiPhase.toBeSent,
      deliveryStatus: DeliveryStatus.configuring,
    });
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(wifiId, created.password.id)).toMatchObject({
      phase: WifiPhase.sent,
      deliveryStatus: DeliveryStatus.succeeded,
    });
    const lock = w.device("smart-lock");
    expect(await w.clock.runUntilSettled(lock.typeCode("1234567"))).toMatchObject({
      kind: "open",
      keyId: "T1001",
    });
    await w.clock.runUntil(() =>
      (w.platform.store.get(wifiId)?.events ?? []).some((e) => e.body.eventName === "LOCK_OPEN"),
    );

    // Deleted through the API: the lock no longer opens with it.
    passwords.delete(wifiId, created.password.id);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(wifiId, created.password.id)?.phase).toBe(WifiPhase.deleted);
    expect(await w.clock.runUntilSettled(lock.typeCode("1234567"))).toMatchObject({ kind: "refused" });
  });

  it("a Zigbee lock's password goes through its gateway; frozen, it opens nothing", async () => {
    const { w, passwords, zigbeeId, typeAtZigbee } = await lockWorld();
    const created = passwords.create(zigbeeId, {
      name: "tenant",
      code: "654321",
      singleUse: false,
      ...window(w),
    });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(zigbeeId, created.password.id)).toMatchObject({
      phase: ZigbeePhase.normal,
      deliveryStatus: 2,
    });
    passwords.freeze(zigbeeId, created.password.id, true);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(zigbeeId, created.password.id)?.phase).toBe(ZigbeePhase.frozen);
    expect(await typeAtZigbee?.("654321")).toMatchObject({
      kind: "refused",
      reason: "frozen",
    });
    passwords.freeze(zigbeeId, created.password.id, false);
    await w.clock.runUntilSettled(passwords.settled());
    expect(await typeAtZigbee?.("654321")).toMatchObject({ kind: "open" });
  });

  it("a lock that is offline: the delivery fails, and the poll reads failure", async () => {
    const { w, passwords, zigbeeId } = await lockWorld(false);
    const created = passwords.create(zigbeeId, {
      name: "late",
      code: "111222",
      singleUse: true,
      ...window(w),
    });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(zigbeeId, created.password.id)).toMatchObject({
      phase: ZigbeePhase.creationFailed,
      deliveryStatus: DeliveryStatus.failed,
    });
  });
});

describe("temporary passwords and misbehaving locks (the seed's Zigbee flow)", () => {
  it("a Zigbee lock that never answers: the gateway tries 4 times and reports failure within 25 s", async () => {
    const { w, passwords, zigbeeId } = await lockWorld();
    w.device("zigbee-gateway").misbehaviour.subDeviceSilentTries = 4;
    const start = w.clock.now();
    const created = passwords.create(zigbeeId, { name: "x", code: "101010", singleUse: false, ...window(w) });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntil(() => passwords.get(zigbeeId, created.password.id)?.deliveryStatus !== 1);
    expect(passwords.get(zigbeeId, created.password.id)).toMatchObject({
      phase: ZigbeePhase.creationFailed,
      deliveryStatus: DeliveryStatus.failed,
    });
    // 4 radio tries 2 s apart: the gateway's answer after 8 s, inside the platform's 10 s and the caller's 25 s.
    expect(w.clock.now() - start).toBe(8_000);
  });

  it("a gateway that drops the Zigbee lock: delivery fails; back in range, a new password is delivered", async () => {
    const { w, passwords, zigbeeId, zigbeeRange } = await lockWorld();
    await zigbeeRange?.(false);
    await w.clock.runUntil(() => w.platform.store.get(zigbeeId)?.online === false);
    const lost = passwords.create(zigbeeId, { name: "x", code: "303030", singleUse: false, ...window(w) });
    if (!lost.ok) throw new Error(lost.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(zigbeeId, lost.password.id)).toMatchObject({
      phase: ZigbeePhase.creationFailed,
      deliveryStatus: DeliveryStatus.failed,
    });
    await zigbeeRange?.(true);
    await w.clock.runUntil(() => w.platform.store.get(zigbeeId)?.online === true);
    const back = passwords.create(zigbeeId, { name: "y", code: "404040", singleUse: false, ...window(w) });
    if (!back.ok) throw new Error(back.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(zigbeeId, back.password.id)?.deliveryStatus).toBe(DeliveryStatus.succeeded);
  });

  it("a Zigbee lock that answers on the third try: delivered, late", async () => {
    const { w, passwords, zigbeeId } = await lockWorld();
    w.device("zigbee-gateway").misbehaviour.subDeviceSilentTries = 2;
    const start = w.clock.now();
    const created = passwords.create(zigbeeId, { name: "x", code: "202020", singleUse: false, ...window(w) });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntil(() => passwords.get(zigbeeId, created.password.id)?.deliveryStatus !== 1);
    expect(passwords.get(zigbeeId, created.password.id)?.deliveryStatus).toBe(DeliveryStatus.succeeded);
    expect(w.clock.now() - start).toBe(4_000);
  });

  it("a Wi-Fi lock that refuses key orders: failure", async () => {
    const { w, passwords, wifiId } = await lockWorld();
    w.device("smart-lock").misbehaviour.refuseKeyOrders = true;
    const created = passwords.create(wifiId, { name: "x", code: "3030303", singleUse: false, ...window(w) });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(wifiId, created.password.id)).toMatchObject({
      phase: WifiPhase.toBeSent,
      deliveryStatus: DeliveryStatus.failed,
    });
  });

  it("a single-use password is deleted once used: the lock drops its key and the password reads deleted", async () => {
    const { w, passwords, wifiId } = await lockWorld();
    const created = passwords.create(wifiId, {
      name: "once",
      code: "5556667",
      singleUse: true,
      ...window(w),
    });
    if (!created.ok) throw new Error(created.message);
    await w.clock.runUntilSettled(passwords.settled());
    expect(passwords.get(wifiId, created.password.id)?.phase).toBe(WifiPhase.sent);
    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("5556667"))).toMatchObject({
      kind: "open",
      singleUse: true,
    });
    await w.clock.runUntil(() => passwords.get(wifiId, created.password.id)?.phase === WifiPhase.deleted);
    expect(passwords.list(wifiId).map((p) => p.phase)).toEqual([WifiPhase.deleted]);
  });
});
