import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { type LockUser, type Schedule, userTypeOf } from "./lock-users-types.ts";

/** How users and pages of them are shown by the home-user, v1.1 and record endpoints. */

/** Whether the user is within their validity period at `nowS` (Unix seconds): 1 yes, 0 no. */
export function effectiveFlag(schedule: Schedule | undefined, nowS: number): 0 | 1 {
  if (schedule === undefined || schedule.permanent) return 1;
  const from = schedule.effectiveTime ?? 0;
  const until = schedule.expiredTime ?? Number.POSITIVE_INFINITY;
  return nowS >= from && nowS < until ? 1 : 0;
}

/** `time_schedule_info` (seed line 3670): a user never given a period is permanent, added with the user. */
export function scheduleInfo(schedule: Schedule | undefined) {
  if (schedule === undefined)
    return { permanent: true, operate: "ADD", delivery_status: "SUCCESS", schedule_details: [] };
  return {
    permanent: schedule.permanent,
    ...(schedule.effectiveTime === undefined ? {} : { effective_time: schedule.effectiveTime }),
    ...(schedule.expiredTime === undefined ? {} : { expired_time: schedule.expiredTime }),
    operate: schedule.operate,
    delivery_status: schedule.delivery,
    schedule_details: schedule.details,
  };
}

/**
 * A user as the seed's user record shows it (seed line 3646): a home user's `uid` is their account, the user's own
 * id; a device user has no account.
 */
export function userRecord(u: LockUser, nowMs: number) {
  return {
    user_id: u.id,
    avatar_url: "",
    user_contact: u.contact ?? "",
    user_type: userTypeOf(u),
    nick_name: u.nickName,
    lock_user_id: u.lockUserId,
    back_home_notify_attr: 0 as const,
    effective_flag: effectiveFlag(u.schedule, Math.floor(nowMs / 1000)),
    time_schedule_info: scheduleInfo(u.schedule),
    ...(u.type === "home" ? { uid: u.id } : {}),
  };
}

/** One page (`page_no` from 1) of `all`, with the seed's paging fields (seed line 1706). */
export function paged<T>(all: readonly T[], query: unknown) {
  const q = query as { page_no?: number; page_size?: number };
  const no = q.page_no ?? 1;
  const size = q.page_size ?? 20;
  if (no < 1) throw new LockApiError("paramRangeInvalid", `page_no: starts at 1, got ${no}`, "page_no");
  if (size < 1)
    throw new LockApiError("paramRangeInvalid", `page_size: at least 1, got ${size}`, "page_size");
  const pages = Math.ceil(all.length / size);
  return {
    has_more: no < pages,
    total: all.length,
    total_pages: pages,
    records: all.slice((no - 1) * size, no * size),
  };
}
