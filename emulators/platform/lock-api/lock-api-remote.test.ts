import { describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { decryptTicketKey, encryptPassword } from "../../../harness/protocol/lock-api/password-crypto.ts";
import { type Envelope, lockWorldPerTest } from "./testing/lock-world.ts";

/**
 * Remote unlocking through the vendor's SDK: the switches, then openings that really reach the emulated locks (their
 * LOCK status goes to "0", and the open logs show `unlock_remote`), with and without a password; refusals.
 */

const CLIENT_ID = "hilfarmlockclient006";
const SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

const openLockWorld = lockWorldPerTest();

type Id = keyof typeof lockEndpoints;

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  const { w, call } = world;
  /** One call, its `result` checked against the catalogue entry's `response` on success. */
  const api = async <T = unknown>(id: Id, deviceId: string, body?: Record<string, unknown>) => {
    const entry = lockEndpoints[id];
    const answer: Envelope<T> = await call<T>({
      method: entry.method,
      path: entry.path.replace("{device_id}", deviceId),
      ...(body === undefined ? {} : { body }),
    });
    if (answer.success) entry.response.parse(answer.result);
    return answer;
  };
  const ticket = async (deviceId: string) => {
    const issued = await api<{ ticket_id: string; ticket_key: string }>("getPasswordTicket", deviceId);
    expect(issued.success).toBe(true);
    const key = decryptTicketKey(issued.result.ticket_key, SECRET);
    if (!key.ok) throw key.error;
    return { ticketId: issued.result.ticket_id, key: key.value };
  };
  const sealed = async (deviceId: string, digits: string) => {
    const { ticketId, key } = await ticket(deviceId);
    return { password: encryptPassword(digits, key), password_type: "ticket", ticket_id: ticketId };
  };
  const lockStatus = (deviceId: string) => w.platform.store.get(deviceId)?.status["0"]?.LOCK;
  const remoteOpens = (deviceId: string) =>
    (w.platform.store.get(deviceId)?.events ?? []).filter(
      (e) =>
        e.body.eventName === "LOCK_OPEN" &&
        (e.body.eventInfo as Array<Record<string, string>>)[0]?.TYPE === "REMOTE",
    ).length;
  const openLogs = async (deviceId: string) => {
    const answer = await call<{ total: number; logs: Array<{ status: { code: string; value: string } }> }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/open-logs`,
      query: { page_no: 1, page_size: 10, start_time: 0, end_time: 0 },
    });
    expect(answer.success).toBe(true);
    return answer.result;
  };
  const configure = (deviceId: string, type: string, open: boolean) =>
    api("setRemoteUnlockConfig", deviceId, { remote_unlock_type: type, open });
  return { ...world, api, ticket, sealed, lockStatus, remoteOpens, openLogs, configure };
}

describe("remote unlocking without a password", () => {
  it("is refused (1106) until switched on, then opens the Wi-Fi lock and the open log shows unlock_remote", async () => {
    const { w, api, ticket, wifiId, lockStatus, remoteOpens, openLogs, configure } = await start();
    const first = await ticket(wifiId);
    expect(await api("passwordFreeOpenDoor", wifiId, { ticket_id: first.ticketId })).toMatchObject({
      success: false,
      code: 1106,
    });
    expect(lockStatus(wifiId)).toBe("1");
    expect(await configure(wifiId, "remoteUnlockWithoutPwd", true)).toMatchObject({
      success: true,
      result: true,
    });
    // The refused call left its ticket unused.
    expect(await api("passwordFreeOpenDoor", wifiId, { ticket_id: first.ticketId })).toMatchObject({
      success: true,
      result: true,
    });
    expect(lockStatus(wifiId)).toBe("0");
    await w.clock.runUntil(() => remoteOpens(wifiId) === 1);
    expect(await openLogs(wifiId)).toMatchObject({
      total: 1,
      logs: [{ status: { code: "unlock_remote", value: "1" } }],
    });
    // One ticket, one opening.
    expect(await api("passwordFreeOpenDoor", wifiId, { ticket_id: first.ticketId })).toMatchObject({
      success: false,
      code: 1109,
      msg: expect.stringContaining("already used"),
    });
  });

  it("reaches a Zigbee lock through its gateway; a revocation (Wi-Fi only) switches it off again", async () => {
    const { w, api, ticket, wifiId, zigbeeId, lockStatus, remoteOpens, configure } = await start();
    await configure(zigbeeId, "remoteUnlockWithoutPwd", true);
    const opened = await api("passwordFreeOpenDoor", zigbeeId, {
      ticket_id: (await ticket(zigbeeId)).ticketId,
    });
    expect(opened).toMatchObject({ success: true, result: true });
    expect(lockStatus(zigbeeId)).toBe("0");
    await w.clock.runUntil(() => remoteOpens(zigbeeId) === 1);
    expect(await api("cancelPasswordFreeOpenDoor", zigbeeId, { type: 1 })).toMatchObject({ code: 2004 });

    await configure(wifiId, "remoteUnlockWithoutPwd", true);
    expect(await api("cancelPasswordFreeOpenDoor", wifiId, { type: 1 })).toMatchObject({
      success: true,
      result: true,
    });
    expect(
      await api("passwordFreeOpenDoor", wifiId, { ticket_id: (await ticket(wifiId)).ticketId }),
    ).toMatchObject({ success: false, code: 1106 });
    expect(await api("cancelPasswordFreeOpenDoor", wifiId, { type: 3 })).toMatchObject({ code: 1109 });
  });

  it("door-operate closes without a switch and opens with one; a ticket for another lock is refused", async () => {
    const { w, api, ticket, wifiId, zigbeeId, lockStatus, remoteOpens, configure } = await start();
    expect(
      await api("passwordFreeDoorOperate", wifiId, {
        ticket_id: (await ticket(wifiId)).ticketId,
        open: true,
      }),
    ).toMatchObject({ success: false, code: 1106 });
    await configure(wifiId, "remoteUnlockWithoutPwd", true);
    expect(
      await api("passwordFreeDoorOperate", wifiId, { ticket_id: (await ticket(wifiId)).ticketId }),
    ).toMatchObject({ success: true, result: true });
    expect(lockStatus(wifiId)).toBe("0");
    await w.clock.runUntil(() => remoteOpens(wifiId) === 1);
    expect(
      await api("passwordFreeDoorOperate", wifiId, {
        ticket_id: (await ticket(wifiId)).ticketId,
        open: false,
      }),
    ).toMatchObject({ success: true, result: true });
    expect(lockStatus(wifiId)).toBe("1");
    expect(
      await api("passwordFreeDoorOperate", wifiId, {
        ticket_id: (await ticket(zigbeeId)).ticketId,
        open: false,
      }),
    ).toMatchObject({ success: false, code: 1109, msg: expect.stringContaining("issued for device") });
  });

  it("an offline lock answers 2001 and keeps its ticket; v1.1 (access control devices) is 2004 for a lock", async () => {
    const { w, api, ticket, wifiId, zigbeeId, configure } = await start();
    await configure(wifiId, "remoteUnlockWithoutPwd", true);
    const kept = await ticket(wifiId);
    w.device("smart-lock").powerOff();
    await w.clock.runUntil(() => w.platform.store.get(wifiId)?.online === false);
    expect(await api("passwordFreeOpenDoor", wifiId, { ticket_id: kept.ticketId })).toMatchObject({
      success: false,
      code: 2001,
    });
    w.device("smart-lock").powerOn();
    await w.clock.runUntil(() => w.platform.store.get(wifiId)?.online === true);
    expect(await api("passwordFreeOpenDoor", wifiId, { ticket_id: kept.ticketId })).toMatchObject({
      success: true,
      result: true,
    });
    for (const id of [wifiId, zigbeeId])
      expect(
        await api("passwordFreeOpenDoorV11", id, { ticket_id: (await ticket(id)).ticketId, channel_id: 1 }),
      ).toMatchObject({ success: false, code: 2004 });
  });
});

describe("remote unlocking with a password (Zigbee locks)", () => {
  it("opens for a password the lock holds, refuses a wrong one, and is off until switched on", async () => {
    const { w, api, sealed, zigbeeId, wifiId, lockStatus, remoteOpens, configure } = await start();
    const nowS = Math.floor(w.clock.now() / 1000);
    const created = await api<{ id: number }>("createTempPassword", zigbeeId, {
      name: "guest",
      ...(await sealed(zigbeeId, "246810")),
      effective_time: nowS - 60,
      invalid_time: nowS + 3600,
      type: 0,
    });
    expect(created.success).toBe(true);
    await w.clock.advanceAsync(100);
    expect(await api("openDoor", zigbeeId, await sealed(zigbeeId, "246810"))).toMatchObject({
      success: false,
      code: 1106,
    });
    expect(await configure(zigbeeId, "remoteUnlockWithPwd", true)).toMatchObject({ result: true });
    const listed = await api("listRemoteUnlocks", zigbeeId);
    expect(listed.result).toEqual({ remote_unlock_type: "remoteUnlockWithPwd", open: true });

    const wrong = await api("openDoor", zigbeeId, await sealed(zigbeeId, "135791"));
    expect(wrong).toMatchObject({ success: false, code: 1109, msg: expect.stringContaining("password") });
    expect(wrong.msg).not.toContain("135791");
    expect(lockStatus(zigbeeId)).toBe("1");
    expect(await api("openDoor", zigbeeId, await sealed(zigbeeId, "24681"))).toMatchObject({ code: 1101 });

    expect(await api("openDoor", zigbeeId, await sealed(zigbeeId, "246810"))).toMatchObject({
      success: true,
      result: true,
    });
    expect(lockStatus(zigbeeId)).toBe("0");
    // The open logs apply to Wi-Fi locks, not Zigbee ones (seed line 1279): the lock's own report shows the opening.
    await w.clock.runUntil(() => remoteOpens(zigbeeId) === 1);

    // A Wi-Fi lock has no password method: listing and switching it are 2004, as the open itself.
    expect(await api("listRemoteUnlocks", wifiId)).toMatchObject({ code: 2004 });
    expect(await configure(wifiId, "remoteUnlockWithPwd", true)).toMatchObject({ code: 2004 });
    expect(await api("openDoor", wifiId, await sealed(wifiId, "2468101"))).toMatchObject({ code: 2004 });
  });

  it("lists the methods: off at first; the one switched on", async () => {
    const { api, zigbeeId, configure } = await start();
    expect((await api("listRemoteUnlocks", zigbeeId)).result).toEqual({
      remote_unlock_type: "remoteUnlockWithPwd",
      open: false,
    });
    await configure(zigbeeId, "remoteUnlockWithoutPwd", true);
    expect((await api("listRemoteUnlocks", zigbeeId)).result).toEqual({
      remote_unlock_type: "remoteUnlockWithoutPwd",
      open: true,
    });
    expect(await api("listRemoteUnlocks", "no-such-lock")).toMatchObject({ code: 2010 });
  });
});
