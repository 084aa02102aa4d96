import { describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { HOUR_S, lockLocalKey } from "../../../harness/protocol/lock-api/offline-code.ts";
import type { DeviceContext } from "../../device/model.ts";
import type { GatewayModel } from "../../gateway/gateway-model.ts";
import type { ProfileModel } from "../../profiles/profile-model.ts";
import { lockWorldPerTest } from "./testing/lock-world.ts";

/** Offline, dynamic and advanced passwords and the device's information, through the SDK, typed at the locks. */

const CLIENT = { clientId: "hilfarmlockclient005", secret: "5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d" };

const openLockWorld = lockWorldPerTest();

interface V11 {
  offline_temp_password_id: string;
  offline_temp_password: string;
  offline_temp_password_name: string;
  effective_time: number;
  invalid_time: number;
}

interface OpenLog {
  status: { code: string; value: string };
}

async function start() {
  const world = await openLockWorld(CLIENT);
  const { w, call, gateway } = world;
  const pins = new Map(w.plan.devices.flatMap((d) => [d, ...d.subDevices]).map((d) => [d.deviceId, d.pin]));
  const lockModel = (deviceId: string): ProfileModel => {
    const own = w.fleet.get(deviceId)?.model as ProfileModel | undefined;
    return own ?? ((gateway.model as GatewayModel).subDevices.get(deviceId)?.model as ProfileModel);
  };
  const nowS = () => Math.floor(w.clock.now() / 1000);
  // Codes are made by the hour: a test that starts late in an hour moves to the next one first, so that its calls
  // stay in one hour (and within the SDK's hour of tolerance for `t`).
  const intoHour = nowS() % HOUR_S;
  if (intoHour > HOUR_S - 600) await w.clock.advanceAsync((HOUR_S - intoHour + 1) * 1000);
  const v11 = (deviceId: string, body: Record<string, unknown>) =>
    call<V11>({ method: "POST", path: `/v1.1/devices/${deviceId}/door-lock/offline-temp-password`, body });
  const v10 = (deviceId: string, body: Record<string, unknown>) =>
    call<{ offline_temp_password: string }>({
      method: "POST",
      path: `/v1.0/devices/${deviceId}/door-lock/offline-temp-password`,
      body: { lang: "en", ...body },
    });
  const dynamic = (deviceId: string) =>
    call<{ dynamic_password: string }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/dynamic-password`,
    });
  const openLogs = async (deviceId: string) => {
    const logs = await call<{ logs: OpenLog[] }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/open-logs`,
      query: { page_no: 1, page_size: 50, start_time: 0, end_time: 0 },
    });
    return logs.result.logs.map((l) => l.status);
  };
  /** A code typed at lock `deviceId`'s keypad (a sub-device's through its gateway), the clock running. */
  const typeAt = (deviceId: string, code: string) => {
    const carrier = w.fleet.get(deviceId) ?? gateway;
    const context = (carrier as unknown as { context(): DeviceContext }).context();
    return w.clock.runUntilSettled(lockModel(deviceId).typeCode(context, code));
  };
  return { ...world, pins, lockModel, nowS, v11, v10, dynamic, openLogs, typeAt };
}

describe("offline passwords through the SDK, typed at the emulated locks", () => {
  it("Wi-Fi lock: once opens once, multiple only in its hours, dynamic in its step; offline too; open logs name them", async () => {
    const { w, wifiId, nowS, v11, v10, dynamic, openLogs, typeAt, lockModel } = await start();
    const hour = Math.floor(nowS() / HOUR_S);
    const once = await v11(wifiId, { type: "once", name: "guest" });
    expect(once.success).toBe(true);
    lockEndpoints.getOfflineTempPasswordV11.response.parse(once.result);
    // Seed lines 1181-1188: once from the current hour for 6 hours.
    expect(once.result).toMatchObject({
      effective_time: hour * HOUR_S,
      invalid_time: (hour + 6) * HOUR_S,
      offline_temp_password_name: "guest",
    });
    expect(once.result.offline_temp_password).toMatch(/^1\d{9}$/);
    const multiple = await v11(wifiId, {
      type: "multiple",
      effective_time: (hour + 1) * HOUR_S + 600,
      invalid_time: (hour + 3) * HOUR_S + 59,
    });
    expect(multiple.result).toMatchObject({
      effective_time: (hour + 1) * HOUR_S,
      invalid_time: (hour + 3) * HOUR_S,
    });
    const legacy = await v10(wifiId, {
      type: 0,
      effective_time: hour * HOUR_S,
      invalid_time: (hour + 2) * HOUR_S,
    });
    lockEndpoints.getOfflineTempPassword.response.parse(legacy.result);
    const dyn = await dynamic(wifiId);
    lockEndpoints.getDynamicPassword.response.parse(dyn.result);
    expect(dyn.result.dynamic_password).toMatch(/^\d{8}$/);

    expect(await typeAt(wifiId, dyn.result.dynamic_password)).toMatchObject({ kind: "open" });
    expect(await typeAt(wifiId, once.result.offline_temp_password)).toMatchObject({
      kind: "open",
      keyId: `O${once.result.offline_temp_password_id}`,
      singleUse: true,
    });
    expect(await typeAt(wifiId, once.result.offline_temp_password)).toMatchObject({ kind: "refused" });
    expect(await typeAt(wifiId, legacy.result.offline_temp_password)).toMatchObject({ kind: "open" });
    expect(await typeAt(wifiId, multiple.result.offline_temp_password)).toMatchObject({ kind: "refused" });
    await w.clock.runUntil(() => (w.platform.store.get(wifiId)?.events.length ?? 0) >= 3);
    const statuses = await openLogs(wifiId);
    expect(statuses).toContainEqual({
      code: "unlock_temporary",
      value: once.result.offline_temp_password_id,
    });
    expect(statuses.filter((s) => s.code === "unlock_dynamic")).toHaveLength(1);
    expect(statuses).toHaveLength(3);

    // The lock offline: its own clock decides. The multiple code opens in its hours, not before, not after.
    w.device("smart-lock").powerOff();
    await w.clock.advanceAsync(((hour + 1) * HOUR_S - nowS()) * 1000);
    expect(await typeAt(wifiId, multiple.result.offline_temp_password)).toMatchObject({ kind: "open" });
    expect(lockModel(wifiId).status["0"]?.LOCK).toBe("0");
    expect(await typeAt(wifiId, multiple.result.offline_temp_password)).toMatchObject({ kind: "open" });
    expect(await typeAt(wifiId, dyn.result.dynamic_password)).toMatchObject({ kind: "refused" });
    await w.clock.advanceAsync(2 * HOUR_S * 1000);
    expect(await typeAt(wifiId, multiple.result.offline_temp_password)).toMatchObject({
      kind: "refused",
      reason: "unknown",
    });
  });

  it("Zigbee lock: a clear_all code opens once and voids the codes before it, offline behind its gateway", async () => {
    const { w, zigbeeId, gateway, nowS, v11, v10, dynamic, typeAt } = await start();
    const hour = Math.floor(nowS() / HOUR_S);
    const multiple = await v11(zigbeeId, {
      type: "multiple",
      effective_time: nowS(),
      invalid_time: nowS() + 10 * HOUR_S,
    });
    const once = await v11(zigbeeId, { type: "once" });
    const second = await v11(zigbeeId, { type: "once" });
    expect(second.result.offline_temp_password).not.toBe(once.result.offline_temp_password);
    const clearAll = await v11(zigbeeId, { type: "clear_all" });
    expect(clearAll.result).toMatchObject({
      effective_time: hour * HOUR_S,
      invalid_time: (hour + 24) * HOUR_S,
    });
    expect(clearAll.result.offline_temp_password).toMatch(/^9\d{9}$/);
    const dyn = await dynamic(zigbeeId);
    // v1.0 applies to Wi-Fi and Bluetooth locks only (seed line 1091).
    const legacy = await v10(zigbeeId, { type: 1, effective_time: nowS(), invalid_time: nowS() + 3600 });
    expect(legacy).toMatchObject({ success: false, code: 2004 });

    expect(await typeAt(zigbeeId, multiple.result.offline_temp_password)).toMatchObject({ kind: "open" });
    expect(await typeAt(zigbeeId, dyn.result.dynamic_password)).toMatchObject({ kind: "open" });
    // The open logs do not apply to a Zigbee lock (seed lines 1271-1275): the platform's events show the openings.
    await w.clock.runUntil(() => (w.platform.store.get(zigbeeId)?.events.length ?? 0) >= 2);
    const opened = w.platform.store.get(zigbeeId)?.events.map((e) => e.body.eventInfo);
    expect(opened).toContainEqual([
      expect.objectContaining({ TYPE: "OFFLINE", KEY_ID: `O${multiple.result.offline_temp_password_id}` }),
    ]);
    expect(opened).toContainEqual([expect.objectContaining({ TYPE: "DYNAMIC" })]);

    gateway.powerOff();
    expect(await typeAt(zigbeeId, clearAll.result.offline_temp_password)).toMatchObject({
      kind: "open",
      singleUse: true,
    });
    for (const code of [clearAll, multiple, once, second].map((p) => p.result.offline_temp_password))
      expect(await typeAt(zigbeeId, code)).toMatchObject({ kind: "refused" });
  });

  it("renames an offline password of a keepalive lock; the Wi-Fi lock's lock type is refused (2004)", async () => {
    const { ids, wifiId, call, nowS, v11 } = await start();
    const lockId = ids["keepalive-wifi"];
    const issued = await v11(lockId, {
      type: "multiple",
      effective_time: nowS(),
      invalid_time: nowS() + 7200,
      name: "a",
    });
    const path = `/v1.0/devices/${lockId}/door-lock/offline-temp-password/${issued.result.offline_temp_password_id}`;
    const renamed = await call<boolean>({ method: "PUT", path, body: { password_name: "front door" } });
    expect(renamed).toMatchObject({ success: true, result: true });
    lockEndpoints.renameOfflineTempPassword.response.parse(renamed.result);
    const again = await v11(lockId, {
      type: "multiple",
      effective_time: nowS(),
      invalid_time: nowS() + 7200,
    });
    expect(again.result).toMatchObject({
      offline_temp_password_id: issued.result.offline_temp_password_id,
      offline_temp_password_name: "front door",
    });
    const missing = await call<boolean>({
      method: "PUT",
      path: `/v1.0/devices/${lockId}/door-lock/offline-temp-password/1234`,
      body: { password_name: "x" },
    });
    expect(missing).toMatchObject({ success: false, code: 1000 });
    const wifi = await call<boolean>({
      method: "PUT",
      path: `/v1.0/devices/${wifiId}/door-lock/offline-temp-password/1234`,
      body: { password_name: "x" },
    });
    expect(wifi).toMatchObject({ success: false, code: 2004 });
    expect(wifi.msg).toMatch(/Keepalive Wi-Fi lock/);
  });

  it("an advanced password reaches the hotel lock (phase 1, then 2) and opens it as an emergency password", async () => {
    const { w, ids, wifiId, call, sealed, typeAt, openLogs } = await start();
    const hotelId = ids["zigbee-hotel"];
    const path = `/v1.0/devices/${hotelId}/door-lock/advanced-password`;
    const set = await call<boolean>({
      method: "POST",
      path,
      body: { ...(await sealed(hotelId, "135790")), advanced_type: "emergency" },
    });
    expect(set).toMatchObject({ success: true, result: true });
    lockEndpoints.setAdvancedPassword.response.parse(set.result);
    const read = () =>
      call<{ advanced_type: string; phase: number }>({
        method: "GET",
        path,
        query: { advanced_type: "emergency" },
      });
    await w.clock.runUntil(
      () =>
        w.platform.store
          .get(hotelId)
          ?.resources[0]?.resourceSerial[0]?.resourceInfo.some((k) => k.KEY_ID === "E902") === true,
    );
    const got = await read();
    lockEndpoints.getAdvancedPassword.response.parse(got.result);
    expect(got.result).toEqual({ advanced_type: "emergency", phase: 2 });
    expect(await typeAt(hotelId, "135790")).toMatchObject({ kind: "open", keyId: "E902" });
    await w.clock.runUntil(() => (w.platform.store.get(hotelId)?.events.length ?? 0) >= 1);
    expect(await openLogs(hotelId)).toContainEqual({ code: "unlock_emergency", value: "902" });

    const admin = await call({ method: "GET", path, query: { advanced_type: "admin" } });
    expect(admin).toMatchObject({ success: false, code: 1000 });
    const badType = await call({ method: "GET", path, query: { advanced_type: "owner" } });
    expect(badType).toMatchObject({ success: false, code: 1109 });
    const onWifi = await call({
      method: "GET",
      path: `/v1.0/devices/${wifiId}/door-lock/advanced-password`,
      query: { advanced_type: "admin" },
    });
    expect(onWifi).toMatchObject({ success: false, code: 2004 });
  });

  it("getDevice answers the local key the locks' codes are made with; bad requests name their field", async () => {
    const { wifiId, zigbeeId, pins, call, nowS, v11, v10 } = await start();
    for (const [id, sub] of [
      [wifiId, false],
      [zigbeeId, true],
    ] as const) {
      const info = await call<Record<string, unknown>>({ method: "GET", path: `/v1.0/devices/${id}` });
      lockEndpoints.getDevice.response.parse(info.result);
      expect(info.result).toMatchObject({
        id,
        sub,
        online: true,
        local_key: lockLocalKey(pins.get(id) ?? "", id),
      });
      expect(info.result.status).toContainEqual({ code: "LOCK", value: "1", type: "String" });
    }
    expect(await call({ method: "GET", path: "/v1.0/devices/nope" })).toMatchObject({
      success: false,
      code: 2010,
    });
    expect(await v11("nope", { type: "once" })).toMatchObject({ success: false, code: 2010 });
    const backwards = await v11(wifiId, {
      type: "multiple",
      effective_time: nowS() + 7200,
      invalid_time: nowS(),
    });
    expect(backwards).toMatchObject({ success: false, code: 1109 });
    expect(backwards.msg).toMatch(/invalid_time/);
    const tooLong = await v11(wifiId, {
      type: "multiple",
      effective_time: nowS(),
      invalid_time: nowS() + 1000 * HOUR_S,
    });
    expect(tooLong).toMatchObject({ success: false, code: 1109 });
    expect(await v11(wifiId, { type: "clear_one" })).toMatchObject({ success: false, code: 1109 });
    expect(await v11(wifiId, { type: "clear_one", password_id: "7777777" })).toMatchObject({
      success: false,
      code: 1000,
    });
    expect(await v11(wifiId, { type: "twice" })).toMatchObject({ success: false, code: 1109 });
    expect(await v10(wifiId, { type: 5, effective_time: nowS(), invalid_time: nowS() + 60 })).toMatchObject({
      success: false,
      code: 1109,
    });
  });
});
