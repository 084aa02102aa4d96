import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import { dpCodeOf, userTypeOf } from "./lock-users-types.ts";
import { heldKey, unlockTypeParam } from "./user-answers.ts";

interface AllocateBody {
  user_id: string | number;
  unlock_list: Array<{ dp_code: string; unlock_sn: number }>;
}

/** The user a call names (1000 if the lock has no such user). */
function userOf(keys: LockUserKeys, deviceId: string, userId: string) {
  const user = keys.book.user(deviceId, userId);
  if (user === undefined)
    throw new LockApiError("dataNotExist", `user_id: no user ${JSON.stringify(userId)}`, "user_id");
  return user;
}

/** Unlocking methods ("opmodes") by the cloud: allocation to users, sync with the lock, names, a user's list. */
export function opmodeHandlers(keys: LockUserKeys): LockHandlers {
  const { book } = keys;
  return {
    allocateOpmodes: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const body = call.body as AllocateBody;
      const user = userOf(keys, deviceId, String(body.user_id));
      // Every method checked before any is linked: all or none.
      const held = body.unlock_list.map((m) =>
        heldKey(keys, deviceId, unlockTypeParam(m.dp_code, "dp_code"), m.unlock_sn),
      );
      for (const key of held) book.assign(deviceId, user.id, key.keyId);
      return true;
    },
    syncOpmodes: (call, deps) => {
      keys.sync(lockOf(call, deps));
      return true;
    },
    renameOpmode: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const body = call.body as { dp_code: string; unlock_name: string };
      const key = heldKey(
        keys,
        deviceId,
        unlockTypeParam(body.dp_code, "dp_code"),
        Number(call.params.unlock_sn ?? ""),
      );
      keys.rename(deviceId, key.keyId, body.unlock_name);
      return true;
    },
    listUserOpmodes: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const user = userOf(keys, deviceId, call.params.user_id ?? "");
      const q = call.query as { codes: string; unlock_name: string; page_no: number; page_size: number };
      const codes = q.codes === "" ? undefined : q.codes.split(",");
      if (q.page_no < 1 || q.page_size < 1)
        throw new LockApiError("paramRangeInvalid", "page_no and page_size start at 1", "page_size");
      // seed line 3211: the result is the list itself, one page of it.
      return keys
        .keys(deviceId)
        .filter((k) => k.userId === user.id)
        .filter((k) => codes === undefined || codes.includes(dpCodeOf(k.type)))
        .filter((k) => q.unlock_name === "" || k.name.includes(q.unlock_name))
        .slice((q.page_no - 1) * q.page_size, q.page_no * q.page_size)
        .map((k) => ({
          user_name: user.nickName,
          user_id: user.id,
          user_type: userTypeOf(user),
          lock_user_id: user.lockUserId,
          unlock_name: k.name,
          opmode_id: k.keyId,
          dp_code: dpCodeOf(k.type),
          unlock_sn: k.no,
          phase: 1,
          unlock_attr: k.hijack ? 1 : 0,
          notify_info: { app_send: 0 },
          allocate_flag: k.allocated ? 1 : 0,
        }));
    },
  };
}
