import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockCall, LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import { ownerIdOf } from "./lock-users.ts";
import { answered } from "./user-answers.ts";
import { paged, userRecord } from "./user-shown.ts";

/** `user_id` 0 names the current user: the account calling, the lock's owner (seed line 3631). */
const userIdOf = (call: LockCall, deviceId: string) => {
  const id = call.params.user_id ?? "";
  return id === "0" ? ownerIdOf(deviceId) : id;
};

/** The users of an access control device, v1.1: every user of the device, with their roles. */
export function userV11Handlers(keys: LockUserKeys): LockHandlers {
  const { book } = keys;
  return {
    updateDeviceUserRole: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const { role } = call.body as { role: "admin" | "normal" };
      answered(book.setRole(deviceId, userIdOf(call, deviceId), role));
      return true;
    },
    getDeviceUserV11: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const userId = userIdOf(call, deviceId);
      const user = book.user(deviceId, userId);
      if (user === undefined)
        throw new LockApiError("dataNotExist", `user_id: no user ${JSON.stringify(userId)}`, "user_id");
      // seed line 3616: administrators cannot be queried, but the current user can.
      if (user.role === "admin" && call.params.user_id !== "0")
        throw new LockApiError(
          "permissionDenied",
          `user_id: ${JSON.stringify(userId)} is an administrator`,
          "user_id",
        );
      return userRecord(user, call.now);
    },
    listDeviceUsersV11: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const q = call.query as { keyword: string; role: "" | "admin" | "normal" };
      const keyword = q.keyword.toLowerCase();
      // seed line 3779: the keyword matches the name or the account, in part; empty filters nothing.
      const users = book
        .users(deviceId)
        .filter((u) => q.role === "" || u.role === q.role)
        .filter(
          (u) =>
            keyword === "" ||
            u.nickName.toLowerCase().includes(keyword) ||
            (u.type === "home" && u.id.toLowerCase().includes(keyword)),
        );
      return paged(
        users.map((u) => userRecord(u, call.now)),
        call.query,
      );
    },
  };
}
