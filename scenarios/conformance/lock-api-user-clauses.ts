import { lockApiErrors } from "../../harness/protocol/lock-api/errors.ts";
import { ClauseFailure, expectThat, NotApplicable } from "./clause.ts";
import { done, served } from "./lock-api-asks.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectRefusal } from "./lock-api-client.ts";
import { lockOf } from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L7, users (first part; the unlocking methods and records are lock-api-unlock-clauses.ts): device users of a Wi-Fi
 * lock (seed lines 3438-3760), the users of an access control device and their roles (v1.1, lines 3507, 3624, 3768),
 * the devices of a user account (line 3999), home users and their validity periods (lines 2924, 3093), removed users
 * (lines 3325, 3389).
 */

type Row = Record<string, unknown>;
type Page = { total?: number; records?: Row[] };

/** A device user the suite adds to `deviceId`: its id. */
export async function addedUser(target: LockApiTarget, deviceId: string, name: string): Promise<string> {
  const { user_id } = await served<{ user_id: string }>(
    target,
    "addDeviceUser",
    { device_id: deviceId },
    {
      body: { nick_name: name, sex: 1 },
    },
  );
  expectThat(
    typeof user_id === "string" && user_id !== "",
    "a user_id for the new device user",
    JSON.stringify(user_id),
  );
  return user_id;
}

/** The users of an access control device (v1.1), of `role` ("" is every role). */
export const usersV11 = (target: LockApiTarget, deviceId: string, role: "" | "admin" | "normal" = "") =>
  served<Page>(
    target,
    "listDeviceUsersV11",
    { device_id: deviceId },
    {
      query: { keyword: "", role, page_no: 1, page_size: 100 },
    },
  );

/** The home users of `deviceId` with their unlocking methods of `codes`. */
const homeUsers = (target: LockApiTarget, deviceId: string, codes = "unlock_password,unlock_fingerprint") =>
  served<Page>(
    target,
    "listHomeUsers",
    { device_id: deviceId },
    { query: { codes, page_no: 1, page_size: 100 } },
  );

const ids = (page: Page) => (page.records ?? []).map((r) => String(r.user_id));

/** The owner of a home is user type 50 (seed line 3658); the suite leaves the owner alone. */
const notOwner = (r: Row) => r.user_type !== 50 && r.lock_user_id !== 1;

export const userClauses: readonly LockClause[] = [
  {
    clause: "L7.1",
    title: "device users: POST .../user answers a user_id that get and list show as sent, and modify renames",
    endpoints: ["addDeviceUser", "getDeviceUser", "listDeviceUsers", "modifyDeviceUser"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const userId = await addedUser(target, deviceId, "L7.1");
      const got = await served<Row>(target, "getDeviceUser", { device_id: deviceId, user_id: userId });
      expectThat(
        got.nick_name === "L7.1" && got.sex === 1,
        "nick_name L7.1 and sex 1 as sent",
        JSON.stringify(got),
      );
      const listed = await served<Row[]>(target, "listDeviceUsers", { device_id: deviceId });
      const listedIds = listed.map((u) => String(u.user_id ?? ""));
      expectThat(listedIds.includes(userId), `user ${userId} in the list`, JSON.stringify(listedIds));
      const body = { nick_name: "L7.1 renamed", sex: 2 };
      await done(target, "modifyDeviceUser", { device_id: deviceId, user_id: userId }, { body });
      const after = await served<Row>(target, "getDeviceUser", { device_id: deviceId, user_id: userId });
      expectThat(
        after.nick_name === body.nick_name,
        `nick_name ${body.nick_name}`,
        JSON.stringify(after.nick_name),
      );
    },
  },
  {
    clause: "L7.2",
    title: `device users: DELETE .../users/{user_id} answers true; the user then reads ${lockApiErrors.dataNotExist.code}`,
    endpoints: ["addDeviceUser", "deleteDeviceUser", "getDeviceUser"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const userId = await addedUser(target, deviceId, "L7.2");
      await done(target, "deleteDeviceUser", { device_id: deviceId, user_id: userId });
      expectRefusal(
        await call(target, "getDeviceUser", { device_id: deviceId, user_id: userId }),
        lockApiErrors.dataNotExist.code,
        `user ${userId} once deleted`,
      );
    },
  },
  {
    clause: "L7.3",
    title: "v1.1 users: GET /v1.1/.../users/0 answers the current user, whom GET /v1.1/.../users lists",
    endpoints: ["getDeviceUserV11", "listDeviceUsersV11"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-access-control");
      const me = await served<Row>(target, "getDeviceUserV11", { device_id: deviceId, user_id: "0" });
      expectThat(
        typeof me.user_id === "string" && me.user_id !== "",
        "the current user's user_id",
        JSON.stringify(me.user_id),
      );
      const page = await usersV11(target, deviceId);
      expectThat(Number.isInteger(page.total), "total, an integer", JSON.stringify(page.total));
      expectThat(
        ids(page).includes(String(me.user_id)),
        `user ${String(me.user_id)} listed`,
        JSON.stringify(ids(page)),
      );
    },
  },
  {
    clause: "L7.4",
    title:
      "roles: PUT .../users/{user_id}/actions/role makes a normal user admin (listed so), then normal again",
    endpoints: ["updateDeviceUserRole", "listDeviceUsersV11"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-access-control");
      const normal = (await usersV11(target, deviceId, "normal")).records?.find(notOwner);
      if (normal === undefined)
        throw new NotApplicable(`the access control device ${deviceId} has no normal user`);
      const userId = String(normal.user_id);
      for (const role of ["admin", "normal"] as const) {
        await done(
          target,
          "updateDeviceUserRole",
          { device_id: deviceId, user_id: userId },
          { body: { role } },
        );
        const listed = ids(await usersV11(target, deviceId, role));
        expectThat(
          listed.includes(userId),
          `user ${userId} listed with role ${role}`,
          JSON.stringify(listed),
        );
      }
    },
  },
  {
    clause: "L7.5",
    title:
      "user devices: GET /v1.0/smart-lock/users/{uid}/devices of the current user's uid lists the device",
    endpoints: ["getDeviceUserV11", "listUserDevices"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-access-control");
      const me = await served<Row>(target, "getDeviceUserV11", { device_id: deviceId, user_id: "0" });
      if (typeof me.uid !== "string" || me.uid === "")
        throw new NotApplicable("the current user shows no uid");
      const page = await served<Page>(
        target,
        "listUserDevices",
        { uid: me.uid },
        { query: { page_no: 1, page_size: 100 } },
      );
      const listed = (page.records ?? []).map((d) => String(d.id));
      expectThat(
        listed.includes(deviceId),
        `${deviceId} among the devices of ${me.uid}`,
        JSON.stringify(listed),
      );
    },
  },
  {
    clause: "L7.6",
    title:
      "home users: GET .../smart-lock/.../users lists unlock_detail per code; PUT .../schedule sets a period",
    endpoints: ["listHomeUsers", "updateHomeUserSchedule"],
    run: async (target) => {
      const deviceId = lockOf(target, "keepalive-wifi");
      const page = await homeUsers(target, deviceId);
      const user = (page.records ?? []).find(notOwner) ?? page.records?.[0];
      if (user === undefined) throw new NotApplicable(`the keepalive lock ${deviceId} lists no home user`);
      const codes = ((user.unlock_detail ?? []) as Row[]).map((d) => d.dp_code);
      expectThat(
        codes.includes("unlock_password") && codes.includes("unlock_fingerprint"),
        "unlock_detail for unlock_password and unlock_fingerprint as asked",
        JSON.stringify(codes),
      );
      const userId = String(user.user_id);
      const from = Math.floor(target.clock.now() / 1000) - 60;
      const period = { permanent: false, effective_time: from, expired_time: from + 86_400 };
      await done(
        target,
        "updateHomeUserSchedule",
        { device_id: deviceId, user_id: userId },
        { body: period },
      );
      const after = (await homeUsers(target, deviceId)).records?.find((r) => String(r.user_id) === userId);
      const info = [after?.time_schedule_info].flat()[0] as Row | undefined;
      expectThat(
        info?.permanent === false && Number(info.expired_time) === period.expired_time,
        `user ${userId}'s time_schedule_info not permanent, expired_time ${period.expired_time}`,
        JSON.stringify(info),
      );
      await done(
        target,
        "updateHomeUserSchedule",
        { device_id: deviceId, user_id: userId },
        { body: { permanent: true } },
      );
    },
  },
  {
    clause: "L7.7",
    title:
      "removed users: POST .../delete-users-issue removes a home user, whom GET .../absent-users then lists",
    endpoints: ["listHomeUsers", "deleteUsersIssue", "listAbsentUsers"],
    // It removes a person's access: run on hilfarm's own platform only.
    needs: ["platform-internals"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-video");
      const user = (await homeUsers(target, deviceId)).records?.find(notOwner);
      if (user === undefined)
        throw new NotApplicable(`the video lock ${deviceId} has no home user but its owner`);
      const userId = String(user.user_id);
      await done(target, "deleteUsersIssue", { device_id: deviceId, user_ids: userId });
      const absent = await served<Row[]>(target, "listAbsentUsers", { device_id: deviceId });
      const absentIds = absent.map((u) => String(u.user_id));
      if (!absentIds.includes(userId))
        throw new ClauseFailure(
          `expected user ${userId} among the removed users; saw ${JSON.stringify(absentIds)}`,
        );
    },
  },
];
