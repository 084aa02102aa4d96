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

/** The device's context, to drive its model as the device's own firmware would. */
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

describe("smart lock", () => {
  it("manages keys through 2031 (add, modify, delete) and reports the change with 2028", async () => {
    const w = await onlineWorld({ devices: [{ profile: "smart-lock", count: 1 }] });
    const lock = w.device("smart-lock");
    const keys = () =>
      w.platform.store
        .get(lock.deviceId)
        ?.resources[0]?.resourceSerial.find((r) => r.resourceName === "KEY_LIST")?.resourceInfo;
    expect(keys()).toEqual([{ KEY_ID: "1", KEY_TYPE: "1", KEY_NAME: "owner fingerprint" }]);
    const manage = (resourceInfo: Array<Record<string, string>>) =>
      w.clock.runUntilSettled(
        w.platform.operations.manageResources(lock.deviceId, [
          { serialId: "0", resourceSerial: [{ resourceName: "KEY_LIST", resourceInfo }] },
        ]),
      );
    expect(await manage([{ KEY_ID: "2", KEY_TYPE: "2", KEY_NAME: "guest code", MODE: "1" }])).toEqual({
      result: 0,
    });
    await w.clock.runUntil(() => keys()?.length === 2);
    await manage([{ KEY_ID: "2", KEY_NAME: "cleaner code", MODE: "2" }]);
    await w.clock.runUntil(() => keys()?.[1]?.KEY_NAME === "cleaner code");
    await manage([{ KEY_ID: "1", MODE: "3" }]);
    await w.clock.runUntil(() => keys()?.length === 1);
    expect(keys()).toEqual([{ KEY_ID: "2", KEY_TYPE: "2", KEY_NAME: "cleaner code" }]);
    const model = lock.model as ProfileModel;
    expect(model.resources["0"]?.KEY_LIST).toEqual([
      { KEY_ID: "2", KEY_TYPE: "2", KEY_NAME: "cleaner code" },
    ]);
    const unmanaged = await w.clock.runUntilSettled(
      w.platform.operations.manageResources(lock.deviceId, [
        {
          serialId: "0",
          resourceSerial: [{ resourceName: "CONSUM", resourceInfo: [{ CONSUM_ID: "1", MODE: "1" }] }],
        },
      ]),
    );
    expect(unmanaged).toEqual({ result: 300002 });
  });

  it("raises LOCK_OPEN on UNLOCK, a low-battery alarm under 20, and a tamper fault", async () => {
    const w = await onlineWorld({ devices: [{ profile: "smart-lock", count: 1 }] });
    const lock = w.device("smart-lock");
    const events = () => w.platform.store.get(lock.deviceId)?.events ?? [];
    const unlocked = await w.clock.runUntilSettled(
      w.platform.operations.control(lock.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "UNLOCK", cmdParam: "" }],
      }),
    );
    expect(unlocked).toMatchObject({ result: 0, state: { "0": { LOCK: "0" } } });
    await w.clock.runUntil(() => events().some((e) => e.kind === "event"));
    expect(events().find((e) => e.kind === "event")?.body).toMatchObject({ eventName: "LOCK_OPEN" });
    const model = lock.model as ProfileModel;
    await w.clock.runUntilSettled(model.setStatus(contextOf(lock), "0", "BATTERY", "15"));
    await w.clock.runUntilSettled(model.setStatus(contextOf(lock), "0", "BATTERY", "14"));
    await w.clock.runUntilSettled(model.raiseFault(contextOf(lock), "TAMPER"));
    expect(
      events()
        .filter((e) => e.kind === "alarm")
        .map((e) => e.body),
    ).toEqual([
      expect.objectContaining({ statusName: "BATTERY", curStatusValue: "15", dscp: "battery low" }),
    ]);
    expect(events().find((e) => e.kind === "fault")?.body).toMatchObject({ errorCode: "L01" });
  });
});

describe("sensors and constraints", () => {
  it("a temperature sensor behind a gateway raises 2008 above 40 degrees, once per crossing", async () => {
    const w = await onlineWorld({
      gateways: [
        {
          profile: "zigbee-gateway",
          count: 1,
          subDevices: [{ profile: "temperature-humidity-sensor", count: 1 }],
        },
      ],
    });
    const gateway = w.device("zigbee-gateway");
    const sensorId = w.plan.devices[0]?.subDevices[0]?.deviceId ?? "";
    const sensor = (gateway.model as GatewayModel).subDevices.get(sensorId)?.model as ProfileModel;
    for (const value of ["41", "45", "30", "42"])
      await w.clock.runUntilSettled(sensor.setStatus(contextOf(gateway), "0", "TEMP", value));
    const alarms = w.platform.store
      .get(sensorId)
      ?.events.filter((e) => e.kind === "alarm")
      .map((e) => e.body.curStatusValue);
    expect(alarms).toEqual(["41", "42"]);
    expect(w.platform.store.get(sensorId)?.status["0"]?.TEMP).toBe("42");
  });

  it("a constrained status (2001) refuses a control with 300002", async () => {
    const w = await onlineWorld({ devices: [{ profile: "air-conditioner", count: 1 }] });
    const ac = w.device("air-conditioner");
    await w.clock.runUntilSettled(w.platform.operations.constrain(ac.deviceId, { TEMP: "1" }));
    const refused = await w.clock.runUntilSettled(
      w.platform.operations.control(ac.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_TEMP", cmdParam: "20" }],
      }),
    );
    expect(refused).toMatchObject({ result: 300002 });
    const outOfRange = await w.clock.runUntilSettled(
      w.platform.operations.control(ac.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_MODE", cmdParam: "9" }],
      }),
    );
    expect(outOfRange).toMatchObject({ result: 100001 });
  });
});

describe("gateway", () => {
  it("sub-devices drop off and rejoin (2020), are unbound by the platform (2015 -> 2014) or locally (2018)", async () => {
    const w = await onlineWorld({
      gateways: [
        { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 3 }] },
      ],
    });
    const gateway = w.device("zigbee-gateway");
    const model = gateway.model as GatewayModel;
    const [a = "", b = "", c = ""] = w.plan.devices[0]?.subDevices.map((s) => s.deviceId) ?? [];
    const online = (id: string) => w.platform.store.get(id)?.online;
    await w.clock.runUntilSettled(model.dropOff(contextOf(gateway), a));
    expect(online(a)).toBe(false);
    const offline = await w.clock.runUntilSettled(
      w.platform.operations.query(a).catch((e: { code: string }) => e.code),
    );
    expect(offline).toBe("OFFLINE");
    await w.clock.runUntilSettled(model.rejoin(contextOf(gateway), a));
    expect(online(a)).toBe(true);
    expect(await w.clock.runUntilSettled(w.platform.operations.unbind(gateway.deviceId, b))).toEqual({
      result: 0,
    });
    expect(model.subDevices.get(b)?.bound).toBe(false);
    expect(w.platform.store.get(b)).toMatchObject({ unbound: true, online: false });
    await w.clock.runUntilSettled(model.unbindLocally(contextOf(gateway), c));
    expect(w.platform.store.get(c)?.unbound).toBe(true);
    // 300001 for a sub-device the gateway no longer has.
    const session = w.platform.sessionOf(gateway.deviceId);
    const answer = await w.clock.runUntilSettled(
      session?.request(2003, { deviceId: b }) ?? Promise.reject(new Error("no session")),
    );
    expect(answer).toMatchObject({ result: 300001 });
  });
  it("a sub-device unbound at the gateway while its bring-up is under way is not reported again: the platform keeps it unbound (5.4.3.12)", async () => {
    world = await startWorld({
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 3 }] },
        ],
      },
    });
    const w = world;
    const gateway = w.device("zigbee-gateway");
    const model = gateway.model as GatewayModel;
    const [a = "", b = "", c = ""] = w.plan.devices[0]?.subDevices.map((s) => s.deviceId) ?? [];
    // The user unbinds a while the platform checks its PIN (2012), and b once its 2020 is in, before its 2006.
    const unbindAt = new Map([
      [`2012 ${a}`, a],
      [`2020 ${b}`, b],
    ]);
    const afterUnbind: string[] = [];
    const unbound = new Set<string>();
    const unbinds: Array<Promise<void>> = [];
    w.platform.events.on("frame", ({ direction, message }) => {
      if (direction !== "in") return;
      const body = message.body as { deviceId?: string; subDeviceId?: string };
      const about = body.subDeviceId ?? body.deviceId ?? "";
      if (unbound.has(about) && message.code !== 2018) afterUnbind.push(`${message.code} ${about}`);
      const sub = unbindAt.get(`${message.code} ${about}`);
      if (sub === undefined) return;
      unbindAt.delete(`${message.code} ${about}`);
      unbound.add(sub);
      unbinds.push(model.unbindLocally(contextOf(gateway), sub));
    });
    w.fleet.powerOn();
    await w.clock.runUntil(
      () => w.platform.store.get(c)?.version.device !== undefined && unbinds.length === 2,
    );
    await w.clock.runUntilSettled(Promise.all(unbinds));
    await w.clock.advanceAsync(60_000);
    expect(w.platform.store.get(a)).toMatchObject({ unbound: true, online: false });
    expect(w.platform.store.get(b)).toMatchObject({ unbound: true, online: false });
    expect(afterUnbind).toEqual([]);
    expect(w.platform.store.get(c)).toMatchObject({ unbound: false, online: true });
  });
});
