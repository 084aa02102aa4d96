import { afterEach, describe, expect, it } from "vitest";
import type { EmulatedDevice } from "../device/emulated-device.ts";
import type { DeviceContext } from "../device/model.ts";
import type { GatewayModel } from "../gateway/gateway-model.ts";
import { startWorld } from "../testing/world.ts";
import type { ProfileModel } from "./profile-model.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const contextOf = (device: EmulatedDevice) => (device as unknown as { context(): DeviceContext }).context();

async function onlineWorld(fleet: Record<string, unknown>) {
  world = await startWorld({ fleet });
  const w = world;
  w.fleet.powerOn();
  const everyone = w.plan.devices.flatMap((d) => [d, ...d.subDevices]);
  await w.clock.runUntil(() =>
    everyone.every((d) => w.platform.store.get(d.deviceId)?.version.device !== undefined),
  );
  return w;
}

/** Adds keys to a lock the way the platform manages them (2031), and waits for the lock's 2028. */
async function addKeys(w: World, lockId: string, keys: Array<Record<string, string>>) {
  const resourceInfo = keys.map((k) => ({ ...k, MODE: "1" }));
  expect(
    await w.clock.runUntilSettled(
      w.platform.operations.manageResources(lockId, [
        { serialId: "0", resourceSerial: [{ resourceName: "KEY_LIST", resourceInfo }] },
      ]),
    ),
  ).toEqual({ result: 0 });
}

const events = (w: World, id: string, name: string) =>
  (w.platform.store.get(id)?.events ?? []).filter((e) => e.kind === "event" && e.body.eventName === name);
const keyIds = (w: World, id: string) =>
  w.platform.store
    .get(id)
    ?.resources[0]?.resourceSerial.find((r) => r.resourceName === "KEY_LIST")
    ?.resourceInfo.map((k) => k.KEY_ID);

describe("a lock's keypad, end to end", () => {
  it("a Wi-Fi lock opens with a password the platform gave it, within its validity, and reports it", async () => {
    const w = await onlineWorld({ devices: [{ profile: "smart-lock", count: 1 }] });
    const lock = w.device("smart-lock");
    const now = Math.floor(w.clock.now() / 1000);
    await addKeys(w, lock.deviceId, [
      { KEY_ID: "7", KEY_TYPE: "2", KEY_NAME: "guest", KEY_CODE: "2468", INVALID_TIME: String(now + 3600) },
      { KEY_ID: "8", KEY_TYPE: "2", KEY_NAME: "cleaner", KEY_CODE: "1357", SINGLE_USE: "1", HIJACK: "1" },
    ]);
    expect(await w.clock.runUntilSettled(lock.typeCode("2468"))).toMatchObject({ kind: "open", keyId: "7" });
    await w.clock.runUntil(() => events(w, lock.deviceId, "LOCK_OPEN").length === 1);
    expect(events(w, lock.deviceId, "LOCK_OPEN")[0]?.body.eventInfo).toEqual([
      { TYPE: "PASSWORD", KEY_ID: "7", TIME: String(now) },
    ]);
    expect(w.platform.store.get(lock.deviceId)?.status["0"]?.LOCK).toBe("0");

    // Single use and duress: it opens once, the duress event goes out, and the lock deletes the key (2028).
    await w.clock.runUntilSettled(lock.typeCode("1357"));
    await w.clock.runUntil(() => events(w, lock.deviceId, "HIJACK").length === 1);
    await w.clock.runUntil(() => !keyIds(w, lock.deviceId)?.includes("8"));
    expect(await w.clock.runUntilSettled(lock.typeCode("1357"))).toMatchObject({
      kind: "refused",
      reason: "unknown",
    });

    // An hour later the guest code has expired.
    w.clock.advance(3600_000);
    expect(await w.clock.runUntilSettled(lock.typeCode("2468"))).toMatchObject({
      kind: "refused",
      reason: "expired",
    });
  });

  it("five wrong codes in a row raise WRONG_CODE; a Zigbee lock behind its gateway opens the same way", async () => {
    const w = await onlineWorld({
      devices: [{ profile: "smart-lock", count: 1 }],
      gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-lock", count: 1 }] }],
    });
    const lock = w.device("smart-lock");
    for (let i = 0; i < 4; i++) await w.clock.runUntilSettled(lock.typeCode("0000"));
    expect(events(w, lock.deviceId, "WRONG_CODE")).toHaveLength(0);
    await w.clock.runUntilSettled(lock.typeCode("0000"));
    await w.clock.runUntil(() => events(w, lock.deviceId, "WRONG_CODE").length === 1);
    expect(events(w, lock.deviceId, "WRONG_CODE")[0]?.body.eventInfo).toMatchObject([{ ATTEMPTS: "5" }]);

    const gateway = w.device("zigbee-gateway");
    const zigbeeId = w.plan.devices.find((d) => d.subDevices.length > 0)?.subDevices[0]?.deviceId ?? "";
    const zigbee = (gateway.model as GatewayModel).subDevices.get(zigbeeId)?.model as ProfileModel;
    await addKeys(w, zigbeeId, [{ KEY_ID: "3", KEY_TYPE: "2", KEY_CODE: "8642" }]);
    expect(await w.clock.runUntilSettled(zigbee.typeCode(contextOf(gateway), "8642"))).toMatchObject({
      kind: "open",
      keyId: "3",
    });
    await w.clock.runUntil(() => events(w, zigbeeId, "LOCK_OPEN").length === 1);
    expect(w.platform.store.get(zigbeeId)?.status["0"]?.LOCK).toBe("0");
  });

  it("a device without a keypad says so", async () => {
    const w = await onlineWorld({ devices: [{ profile: "air-purifier", count: 1 }] });
    await expect(w.device("air-purifier").typeCode("1234")).rejects.toThrow(/CT-AP-01 has no keypad/);
  });
});
