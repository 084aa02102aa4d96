import { describe, expect, it } from "vitest";
import { decryptTicketKey, encryptPassword } from "../../../harness/protocol/lock-api/password-crypto.ts";
import type { DeviceContext } from "../../device/model.ts";
import type { ProfileModel } from "../../profiles/profile-model.ts";
import { lockWorldPerTest } from "./testing/lock-world.ts";

/** The rest of a temporary password's life through the vendor's SDK: v2.0 create, modify, freeze, delete; logs. */

const CLIENT_ID = "hilfarmlockclient002";
const SECRET = "00112233445566778899aabbccddeeff";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  const { call } = world;
  const sealed = async (
    deviceId: string,
    digits: string,
    ticketPath = `/v1.0/devices/${deviceId}/door-lock/password-ticket`,
  ) => {
    const ticket = await call<{ ticket_id: string; ticket_key: string }>({
      method: "POST",
      path: ticketPath,
    });
    expect(ticket.success).toBe(true);
    const key = decryptTicketKey(ticket.result.ticket_key, SECRET);
    if (!key.ok) throw key.error;
    return {
      password: encryptPassword(digits, key.value),
      password_type: "ticket",
      ticket_id: ticket.result.ticket_id,
    };
  };
  const nowS = () => Math.floor(Date.now() / 1000);
  return { ...world, sealed, nowS };
}

describe("a temporary password's life through the lock API", () => {
  it("v2.0 create (smart-lock ticket), modify, freeze, unfreeze and delete on a Zigbee lock, each reaching the lock", async () => {
    const { w, call, sealed, nowS, zigbeeId, typeAtZigbee } = await start();
    const base = `/v1.0/devices/${zigbeeId}/door-lock/temp-passwords`;
    const created = await call<{ id: number }>({
      method: "POST",
      path: `/v2.0/devices/${zigbeeId}/door-lock/temp-password`,
      body: {
        ...(await sealed(zigbeeId, "111111", `/v1.0/smart-lock/devices/${zigbeeId}/password-ticket`)),
        effective_time: nowS() - 60,
        invalid_time: nowS() + 3600,
        type: 0,
      },
    });
    expect(created.success).toBe(true);
    const id = created.result.id;
    /** Lets the order travel to the lock through its gateway and the answer come back. */
    const settle = () => w.clock.advanceAsync(100);
    await settle();
    expect(await typeAtZigbee("111111")).toMatchObject({ kind: "open", keyId: `T${id}` });

    const modified = await call<boolean>({
      method: "PUT",
      path: `${base}/${id}/modify-password`,
      body: {
        ...(await sealed(zigbeeId, "222222")),
        effective_time: nowS() - 60,
        invalid_time: nowS() + 3600,
        type: 0,
      },
    });
    expect(modified).toMatchObject({ success: true, result: true });
    await settle();
    expect(await typeAtZigbee("111111")).toMatchObject({ kind: "refused" });
    expect(await typeAtZigbee("222222")).toMatchObject({ kind: "open" });

    expect(await call({ method: "PUT", path: `${base}/${id}/freeze-password` })).toMatchObject({
      result: true,
    });
    await settle();
    expect(await typeAtZigbee("222222")).toMatchObject({ kind: "refused", reason: "frozen" });
    const frozen = await call<{ phase: number }>({
      method: "GET",
      path: `/v1.0/devices/${zigbeeId}/door-lock/temp-password/${id}`,
    });
    expect(frozen.result.phase).toBe(3);
    expect(await call({ method: "PUT", path: `${base}/${id}/unfreeze-password` })).toMatchObject({
      result: true,
    });
    await settle();
    expect(await typeAtZigbee("222222")).toMatchObject({ kind: "open" });

    expect(await call({ method: "DELETE", path: `${base}/${id}` })).toMatchObject({
      success: true,
      result: true,
    });
    await settle();
    expect(await typeAtZigbee("222222")).toMatchObject({ kind: "refused", reason: "unknown" });
    expect(await call({ method: "DELETE", path: `${base}/${id}` })).toMatchObject({
      success: false,
      code: 1000,
    });
  });

  it("freezing is for Zigbee locks: a Wi-Fi lock's password answers 2004", async () => {
    const { call, sealed, nowS, wifiId } = await start();
    const created = await call<{ id: number }>({
      method: "POST",
      path: `/v1.0/devices/${wifiId}/door-lock/temp-password`,
      body: {
        name: "w",
        ...(await sealed(wifiId, "1231231")),
        effective_time: nowS(),
        invalid_time: nowS() + 60,
      },
    });
    expect(
      await call({
        method: "PUT",
        path: `/v1.0/devices/${wifiId}/door-lock/temp-passwords/${created.result.id}/freeze-password`,
      }),
    ).toMatchObject({ success: false, code: 2004 });
  });

  it("alarm logs (v1.0, v1.1) show five wrong codes in a row; v1.1 open logs take milliseconds", async () => {
    const { w, call, wifiId } = await start();
    const lock = w.device("smart-lock");
    for (let i = 0; i < 5; i++) await w.clock.runUntilSettled(lock.typeCode("0000000"));
    await w.clock.runUntil(() =>
      (w.platform.store.get(wifiId)?.events ?? []).some((e) => e.body.eventName === "WRONG_CODE"),
    );
    const from = Date.now() - 3_600_000;
    const to = w.clock.now() + 3_600_000;
    const seconds = {
      page_no: 1,
      page_size: 5,
      start_time: Math.floor(from / 1000),
      end_time: Math.floor(to / 1000),
    };
    const v10 = await call<{ total: number; records: Array<{ status: unknown }> }>({
      method: "GET",
      path: `/v1.0/devices/${wifiId}/door-lock/alarm-logs`,
      query: seconds,
    });
    expect(v10.result).toMatchObject({
      total: 1,
      records: [{ status: { code: "alarm_lock", value: "wrong_password" } }],
    });
    const v11 = await call<{ total: number }>({
      method: "GET",
      path: `/v1.1/devices/${wifiId}/door-lock/alarm-logs`,
      query: { page_no: 1, page_size: 5, start_time: from, end_time: to },
    });
    expect(v11).toMatchObject({ success: true, result: { total: 1 } });
    const opens = await call<{ total: number }>({
      method: "GET",
      path: `/v1.1/devices/${wifiId}/door-lock/open-logs`,
      query: { page_no: 1, page_size: 5, start_time: from, end_time: to },
    });
    expect(opens).toMatchObject({ success: true, result: { total: 0 } });

    // A tampered lock body (the profile's TAMPER fault) and a low battery are alarms too, newest first.
    const model = lock.model as ProfileModel;
    const context = (lock as unknown as { context(): DeviceContext }).context();
    await w.clock.runUntilSettled(model.setStatus(context, "0", "BATTERY", "15"));
    await w.clock.runUntilSettled(model.raiseFault(context, "TAMPER"));
    await w.clock.runUntil(() =>
      (w.platform.store.get(wifiId)?.events ?? []).some((e) => e.kind === "fault"),
    );
    const all = await call<{ total: number; records: Array<{ status: unknown }> }>({
      method: "GET",
      path: `/v1.0/devices/${wifiId}/door-lock/alarm-logs`,
      query: { ...seconds, end_time: Math.floor(w.clock.now() / 1000) + 3600 },
    });
    expect(all.result.records.map((r) => r.status)).toEqual([
      { code: "alarm_lock", value: "pry" },
      { code: "alarm_lock", value: "low_battery" },
      { code: "alarm_lock", value: "wrong_password" },
    ]);
  });
});
