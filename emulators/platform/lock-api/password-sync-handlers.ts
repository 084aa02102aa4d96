import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { bookAnswer, lockOf } from "./password-handlers.ts";
import {
  DeliveryStatus,
  type Operation,
  type TempPassword,
  WifiPhase,
  ZigbeePhase,
} from "./temp-passwords.ts";

/** Seed line 431: "For a single device, this API can only be called once within 60 seconds." */
export const ISSUE_PASSWORD_INTERVAL_MS = 60_000;
const STAND_BY_PAGE_SIZE = 20;

const operate: Readonly<Record<Operation, string>> = {
  create: "ADD",
  modify: "MODIFY",
  freeze: "MODIFY",
  unfreeze: "MODIFY",
  delete: "DELETE",
};

const deliveryText = (p: TempPassword) =>
  p.pending !== undefined || p.deliveryStatus === DeliveryStatus.configuring
    ? "ONGOING"
    : p.deliveryStatus === DeliveryStatus.succeeded
      ? "SUCCESS"
      : "FAILED";

/** `effective_flag`: 0 not in effect (deleted, frozen, expired, refused), 1 in effect, 2 in effect later. */
function effectiveFlag(p: TempPassword, nowS: number): 0 | 1 | 2 {
  const gone =
    p.deliveryStatus >= DeliveryStatus.exists ||
    (p.kind === "zigbee"
      ? p.phase === ZigbeePhase.deleted ||
        p.phase === ZigbeePhase.frozen ||
        p.phase === ZigbeePhase.creationFailed
      : p.phase === WifiPhase.deleted);
  if (gone || nowS >= p.invalidTime) return 0;
  return nowS < p.effectiveTime ? 2 : 1;
}

/** A stand-by record (seed lines 725-760); the periodic part in minutes of the day. */
function standByRecord(p: TempPassword, nowS: number) {
  return {
    password_id: p.id,
    name: p.name,
    gmt_create: p.createdAt,
    effective_time: p.effectiveTime,
    expired_time: p.invalidTime,
    operate: operate[p.lastOperation],
    delivery_status: deliveryText(p),
    effective_flag: effectiveFlag(p, nowS),
    schedule_details: (p.scheduleList ?? []).map((s) => ({
      start_minute: s.effective_time,
      end_minute: s.invalid_time,
      working_day: s.working_day,
      all_day: s.effective_time === 0 && s.invalid_time >= 1440,
      time_zone_id: p.timeZone ?? "",
    })),
  };
}

/**
 * Synchronize (issue-password), clear (rest-password) and the stand-by list: the temporary passwords' calls that
 * act on all of a lock's passwords at once.
 */
export function passwordSyncHandlers(_context: LockHandlerContext): LockHandlers {
  /** Device -> when it was last synchronized (platform clock, ms). */
  const lastIssue = new Map<string, number>();
  return {
    issuePassword: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const last = lastIssue.get(deviceId);
      if (last !== undefined && call.now - last < ISSUE_PASSWORD_INTERVAL_MS)
        throw new LockApiError(
          "permissionDenied",
          `issue-password: once per device within 60 s; again in ${Math.ceil((last + ISSUE_PASSWORD_INTERVAL_MS - call.now) / 1000)} s`,
          "device_id",
        );
      const raw = (call.body as { password_id?: number | string } | undefined)?.password_id;
      const id = raw === undefined || raw === "" ? undefined : Number(raw);
      if (id !== undefined && deps.passwords.get(deviceId, id) === undefined)
        throw new LockApiError("dataNotExist", `no temporary password ${id}`, "password_id");
      lastIssue.set(deviceId, call.now);
      for (const answer of deps.passwords.resend(deviceId, id)) bookAnswer(answer);
      return true;
    },
    clearTempPasswords: (call, deps) => {
      for (const answer of deps.passwords.clear(lockOf(call, deps))) bookAnswer(answer);
      return true;
    },
    listStandByTempPasswords: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const q = call.query as { valid?: boolean; last_row_key?: string; page_size?: number };
      const nowS = Math.floor(call.now / 1000);
      const size = q.page_size ?? STAND_BY_PAGE_SIZE;
      if (size < 1) throw new LockApiError("paramRangeInvalid", "page_size starts at 1", "page_size");
      const after = q.last_row_key === undefined || q.last_row_key === "" ? 0 : Number(q.last_row_key);
      if (!Number.isSafeInteger(after))
        throw new LockApiError(
          "paramIllegal",
          `last_row_key: ${JSON.stringify(q.last_row_key)}`,
          "last_row_key",
        );
      const records = deps.passwords
        .list(deviceId)
        .map((p) => standByRecord(p, nowS))
        .filter((r) => r.password_id > after && (q.valid !== true || r.effective_flag !== 0))
        .sort((a, b) => a.password_id - b.password_id);
      const page = records.slice(0, size);
      return {
        has_more: records.length > size,
        last_row_key: String(page.at(-1)?.password_id ?? ""),
        records: page,
      };
    },
  };
}
