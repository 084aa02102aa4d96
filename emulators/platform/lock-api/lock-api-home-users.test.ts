import { describe, expect, it } from "vitest";
import { memberIdOf, ownerIdOf } from "./lock-users.ts";
import { enrolledPassword, keyList, refused, served } from "./testing/lock-users.ts";
import { type LockWorld, lockWorldPerTest } from "./testing/lock-world.ts";

/** Home users, their validity periods, removed users and roles, through the vendor's Node SDK. */

const CLIENT_ID = "hilfarmlockclient011";
const SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

interface HomeUser {
  user_id: string;
  user_type: number;
  lock_user_id: number;
  effective_flag: number;
  uid?: string;
  time_schedule_info: {
    permanent: boolean;
    operate: string;
    delivery_status: string;
    effective_time?: number;
  };
  unlock_detail: Array<{ dp_code: string; count: number; unlock_list: Array<{ unlock_sn: number }> }>;
}

const homeUsers = async (w: LockWorld, deviceId: string) =>
  served(
    "listHomeUsers",
    await w.call<{ total: number; records: HomeUser[] }>({
      method: "GET",
      path: `/v1.0/smart-lock/devices/${deviceId}/users`,
      query: { codes: "unlock_password,unlock_fingerprint", page_no: 1, page_size: 10 },
    }),
  );

const schedule = (w: LockWorld, deviceId: string, userId: string, body: object) =>
  w.call({ method: "PUT", path: `/v1.0/smart-lock/devices/${deviceId}/users/${userId}/schedule`, body });

describe("home users through the lock API", () => {
  it("lists a keepalive lock's home users with their unlocking methods", async () => {
    const w = await start();
    const lock = w.ids["keepalive-wifi"];
    const no = await enrolledPassword(w, lock, memberIdOf(lock), "3141592");
    const page = await homeUsers(w, lock);
    expect(page).toMatchObject({ total: 2, has_more: false, total_pages: 1 });
    expect(
      page.records.map((u) => [u.user_id, u.user_type, u.lock_user_id, u.uid, u.effective_flag]),
    ).toEqual([
      [ownerIdOf(lock), 50, 1, ownerIdOf(lock), 1],
      [memberIdOf(lock), 20, 2, memberIdOf(lock), 1],
    ]);
    expect(page.records[1]?.unlock_detail).toEqual([
      {
        dp_code: "unlock_password",
        count: 1,
        unlock_list: [expect.objectContaining({ unlock_sn: Number(no), unlock_attr: 0, admin: false })],
      },
      { dp_code: "unlock_fingerprint", count: 0, unlock_list: [] },
    ]);
    expect(page.records[0]?.unlock_detail.map((d) => d.count)).toEqual([0, 0]);
    refused(
      await w.call({
        method: "GET",
        path: `/v1.0/smart-lock/devices/${lock}/users`,
        query: { codes: "unlock_password", page_no: 0, page_size: 10 },
      }),
      1101,
    );
  });

  it("delivers a validity period to the user's keys, reads it back, and a permanent one again", async () => {
    const w = await start();
    const lock = w.ids["keepalive-wifi"];
    const member = memberIdOf(lock);
    const no = await enrolledPassword(w, lock, member, "2718281");
    const nowS = Math.floor(w.w.clock.now() / 1000);
    const period = { permanent: false, effective_time: nowS - 172_800, expired_time: nowS - 86_400 };
    expect(
      served(
        "updateHomeUserSchedule",
        await schedule(w, lock, member, {
          schedule: {
            ...period,
            schedule_details: [{ start_minute: "420", end_minute: 1080, working_day: 62 }],
          },
        }),
      ),
    ).toBe(true);
    await w.w.clock.runUntil(() =>
      keyList(w, lock).some((k) => k.KEY_ID === no && k.INVALID_TIME !== undefined),
    );
    expect(keyList(w, lock).find((k) => k.KEY_ID === no)).toMatchObject({
      EFFECTIVE_TIME: String(period.effective_time),
      INVALID_TIME: String(period.expired_time),
    });
    await w.w.clock.advanceAsync(100);
    const read = (await homeUsers(w, lock)).records[1];
    expect(read).toMatchObject({
      effective_flag: 0,
      time_schedule_info: {
        permanent: false,
        effective_time: period.effective_time,
        expired_time: period.expired_time,
        operate: "ADD",
        delivery_status: "SUCCESS",
        schedule_details: [{ start_minute: 420, end_minute: 1080, working_day: 62 }],
      },
    });
    expect(await w.w.clock.runUntilSettled(w.w.device("keepalive-lock").typeCode("2718281"))).toMatchObject({
      kind: "refused",
      reason: "expired",
    });

    // A key enrolled for the user meanwhile carries their period too.
    const later = await enrolledPassword(w, lock, member, "1414213");
    expect(keyList(w, lock).find((k) => k.KEY_ID === later)).toMatchObject({
      INVALID_TIME: String(period.expired_time),
    });
    expect(await w.w.clock.runUntilSettled(w.w.device("keepalive-lock").typeCode("1414213"))).toMatchObject({
      kind: "refused",
      reason: "expired",
    });

    expect(served("updateHomeUserSchedule", await schedule(w, lock, member, { permanent: true }))).toBe(true);
    await w.w.clock.runUntil(() => keyList(w, lock).some((k) => k.KEY_ID === no && k.INVALID_TIME === ""));
    await w.w.clock.advanceAsync(100);
    expect((await homeUsers(w, lock)).records[1]).toMatchObject({
      effective_flag: 1,
      time_schedule_info: { permanent: true, operate: "MODIFY", delivery_status: "SUCCESS" },
    });
    expect(await w.w.clock.runUntilSettled(w.w.device("keepalive-lock").typeCode("2718281"))).toMatchObject({
      kind: "open",
    });

    refused(await schedule(w, lock, ownerIdOf(lock), { permanent: true }), 1106);
    refused(await schedule(w, lock, `${lock}-u9`, { permanent: true }), 1000);
    refused(await schedule(w, lock, member, { permanent: false }), 1109);
  });

  it("a validity period of an access control device's user reads back through v1.1", async () => {
    const w = await start();
    const acs = w.ids["wifi-access-control"];
    const member = memberIdOf(acs);
    const nowS = Math.floor(w.w.clock.now() / 1000);
    const period = { permanent: false, effective_time: nowS - 60, expired_time: nowS + 3_600 };
    served("updateHomeUserSchedule", await schedule(w, acs, member, period));
    await w.w.clock.advanceAsync(100);
    expect(
      served(
        "getDeviceUserV11",
        await w.call({ method: "GET", path: `/v1.1/devices/${acs}/users/${member}` }),
      ),
    ).toMatchObject({
      user_id: member,
      effective_flag: 1,
      time_schedule_info: {
        permanent: false,
        effective_time: period.effective_time,
        delivery_status: "SUCCESS",
      },
    });
  });

  it("a user deleted from a video lock loses their keys at the lock and shows as absent", async () => {
    const w = await start();
    const lock = w.ids["wifi-video"];
    const member = memberIdOf(lock);
    const no = await enrolledPassword(w, lock, member, "1618033");
    const absent = async () =>
      served(
        "listAbsentUsers",
        await w.call<unknown[]>({ method: "GET", path: `/v1.0/devices/${lock}/door-lock/absent-users` }),
      );
    expect(await absent()).toEqual([]);
    const issue = (ids: string) =>
      w.call({
        method: "POST",
        path: `/v1.0/smart-lock/devices/${lock}/users/${ids}/actions/delete-users-issue`,
      });
    refused(await issue(`${member},${lock}-u9`), 1000);
    refused(await issue(`${member},${ownerIdOf(lock)}`), 1106);
    expect(served("deleteUsersIssue", await issue(member))).toBe(true);
    expect(await absent()).toEqual([{ user_id: member, user_type: 20, lock_user_id: 2 }]);
    await w.w.clock.runUntil(() => !keyList(w, lock).some((k) => k.KEY_ID === no));
    expect(await w.w.clock.runUntilSettled(w.w.device("video-lock").typeCode("1618033"))).toMatchObject({
      kind: "refused",
    });
    refused(await issue(member), 1000);
  });

  it("an access control device's users: v1.1 read and list, roles updated", async () => {
    const w = await start();
    const acs = w.ids["wifi-access-control"];
    const member = memberIdOf(acs);
    const get = (u: string) => w.call({ method: "GET", path: `/v1.1/devices/${acs}/users/${u}` });
    const list = async (keyword: string, role: string) =>
      served(
        "listDeviceUsersV11",
        await w.call<{ total: number; records: Array<{ user_id: string; user_type: number }> }>({
          method: "GET",
          path: `/v1.1/devices/${acs}/users`,
          query: { keyword, role, page_no: 1, page_size: 1 },
        }),
      );
    expect(served("getDeviceUserV11", await get(member))).toMatchObject({
      user_id: member,
      user_type: 20,
      nick_name: "member",
      lock_user_id: 2,
    });
    // seed line 3631: 0 is the current user, the owner, an administrator that can be read so.
    expect(served("getDeviceUserV11", await get("0"))).toMatchObject({
      user_id: ownerIdOf(acs),
      user_type: 50,
    });
    refused(await get(ownerIdOf(acs)), 1106);
    refused(await get(`${acs}-u9`), 1000);
    expect(await list("", "")).toMatchObject({ total: 2, total_pages: 2, has_more: true });
    expect((await list("", "admin")).records.map((u) => u.user_id)).toEqual([ownerIdOf(acs)]);
    expect((await list("MEM", "")).records.map((u) => u.user_id)).toEqual([member]);

    const role = (u: string, value: string) =>
      w.call({
        method: "PUT",
        path: `/v1.0/smart-lock/devices/${acs}/users/${u}/actions/role`,
        body: { role: value },
      });
    served("updateDeviceUserRole", await role(member, "admin"));
    expect((await list("", "admin")).total).toBe(2);
    expect((await list("", "normal")).total).toBe(0);
    refused(await get(member), 1106);
    refused(await role(ownerIdOf(acs), "normal"), 1106);
    refused(await role(`${acs}-u9`, "normal"), 1000);
    refused(await role(member, "guest"), 1109);
    served("updateDeviceUserRole", await role(member, "normal"));
    expect(served("getDeviceUserV11", await get(member))).toMatchObject({ user_type: 20 });
  });
});
