import type { LockCall, LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import type { LockUser, UnlockKey } from "./lock-users.ts";
import { unlockTypeOf } from "./lock-users-types.ts";
import { answered } from "./user-answers.ts";
import { paged, userRecord } from "./user-shown.ts";

/** The body of a schedule update, as the catalogue checked it (a `schedule` object unwrapped). */
interface ScheduleBody {
  permanent: boolean;
  effective_time?: number;
  expired_time?: number;
  schedule_details?: Array<Record<string, unknown>>;
}

/** The user's keys of each requested data-point code (seed line 2976); a code no key type has lists none. */
function unlockDetail(user: LockUser, keys: readonly UnlockKey[], codes: readonly string[]) {
  return codes.map((dpCode) => {
    const type = unlockTypeOf(dpCode);
    const list = keys
      .filter((k) => k.userId === user.id && k.type === type)
      .map((k) => ({
        unlock_id: `${user.lockUserId}-${k.no}`,
        unlock_sn: k.no,
        unlock_name: k.name,
        unlock_attr: k.hijack ? 1 : 0,
        op_mode_id: k.no,
        photo_unlock: k.photo,
        admin: user.role === "admin",
      }));
    return { dp_code: dpCode, count: list.length, unlock_list: list };
  });
}

/** Home users: their list with unlocking methods, validity periods, removal and the removed users. */
export function homeUserHandlers(keys: LockUserKeys): LockHandlers {
  const { book } = keys;
  return {
    listHomeUsers: (call: LockCall, deps) => {
      const deviceId = lockOf(call, deps);
      const codes = (call.query as { codes: string }).codes.split(",");
      const held = keys.keys(deviceId);
      const home = book.users(deviceId).filter((u) => u.type === "home");
      return paged(
        home.map((u) => ({ ...userRecord(u, call.now), unlock_detail: unlockDetail(u, held, codes) })),
        call.query,
      );
    },
    updateHomeUserSchedule: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const userId = call.params.user_id ?? "";
      const b = call.body as ScheduleBody;
      const schedule = answered(
        book.setSchedule(deviceId, userId, {
          permanent: b.permanent,
          ...(b.permanent || b.effective_time === undefined ? {} : { effectiveTime: b.effective_time }),
          ...(b.permanent || b.expired_time === undefined ? {} : { expiredTime: b.expired_time }),
          details: b.schedule_details ?? [],
        }),
      );
      keys.deliverSchedule(deviceId, userId, schedule);
      return true;
    },
    listAbsentUsers: (call, deps) => [...book.absent(lockOf(call, deps))],
    deleteUsersIssue: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const ids = (call.params.user_ids ?? "").split(",").map((id) => id.trim());
      // The users go at once; the keys that were theirs are deleted at the lock.
      for (const keyId of answered(book.deleteUsers(deviceId, ids))) keys.remove(deviceId, keyId);
      return true;
    },
  };
}
