import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { DeviceEvent } from "../state-store.ts";
import type { LockApiDeps, LockCall, LockHandlers } from "./lock-call.ts";
import { mediaInfosOf } from "./media-fixtures.ts";

interface LogQuery {
  page_no?: number;
  page_size?: number;
  start_time?: number;
  end_time?: number;
}

type Info = Record<string, string>;
const infoOf = (e: DeviceEvent): Info => ((e.body.eventInfo as Info[] | undefined)?.[0] ?? {}) as Info;
const nameOf = (e: DeviceEvent) => e.body.eventName;

/**
 * An opening as the seed's open logs show it (`status` code and value, seed lines 1329-1337): a temporary password by
 * its id (`unlock_temporary`), an offline password by its id too (the seed names no status of its own for it), a
 * dynamic password by its 5-minute step (`unlock_dynamic`), an emergency password (key `E` and its number,
 * `unlock_emergency`), another password by the lock's key number (`unlock_password`), a remote opening.
 */
function openStatus(info: Info): { code: string; value: string } {
  const key = info.KEY_ID ?? "";
  if (info.TYPE === "OFFLINE") return { code: "unlock_temporary", value: key.replace(/^O/, "") };
  if (info.TYPE === "DYNAMIC") return { code: "unlock_dynamic", value: key.replace(/^D/, "") };
  if (info.TYPE === "PASSWORD") {
    if (/^T\d+$/.test(key)) return { code: "unlock_temporary", value: key.slice(1) };
    if (/^E\d+$/.test(key)) return { code: "unlock_emergency", value: key.slice(1) };
    return { code: "unlock_password", value: key };
  }
  if (info.TYPE === "REMOTE") return { code: "unlock_remote", value: "1" };
  return { code: "unlock_key", value: key };
}

/**
 * The lock's alarms (seed: `hijack`, `alarm_lock`): a duress password, too many wrong codes, a fault of the lock body
 * (the profiles' TAMPER: the album table's anti-pry alert) as `pry`, a low battery as `low_battery`.
 */
function alarmStatus(e: DeviceEvent): { code: string; value: string } | undefined {
  if (e.kind === "fault") return { code: "alarm_lock", value: "pry" };
  if (e.kind === "alarm")
    return e.body.statusName === "BATTERY" ? { code: "alarm_lock", value: "low_battery" } : undefined;
  if (e.kind !== "event") return undefined;
  if (nameOf(e) === "HIJACK") return { code: "hijack", value: "true" };
  if (nameOf(e) === "WRONG_CODE") return { code: "alarm_lock", value: "wrong_password" };
  return undefined;
}

/**
 * `start_time`/`end_time` in seconds (v1.0) or milliseconds (v1.1); a page of the newest first, under `list` (open
 * logs answer `logs`, alarm logs `records`: seed lines 1309, 1528).
 */
function page<T>(
  call: LockCall,
  entries: Array<{ at: number; log: T }>,
  unitMs: number,
  list: "logs" | "records",
) {
  const q = call.query as LogQuery;
  const from = q.start_time === undefined || q.start_time === 0 ? 0 : q.start_time * unitMs;
  const to = q.end_time === undefined || q.end_time === 0 ? Number.POSITIVE_INFINITY : q.end_time * unitMs;
  // Newest first; of entries received in the same millisecond, the later reported first.
  const inRange = entries
    .map((e, order) => ({ ...e, order }))
    .filter((e) => e.at >= from && e.at <= to)
    .sort((a, b) => b.at - a.at || b.order - a.order);
  const size = q.page_size ?? 20;
  const no = q.page_no ?? 1;
  if (size < 1 || no < 1)
    throw new LockApiError("paramRangeInvalid", "page_no and page_size start at 1", "page_size");
  return { total: inRange.length, [list]: inRange.slice((no - 1) * size, no * size).map((e) => e.log) };
}

/** What the lock reported: its events (2032), alarms (2033) and faults (2034). */
function events(call: LockCall, deps: LockApiDeps): DeviceEvent[] {
  const deviceId = call.params.device_id ?? "";
  const record = deps.store.get(deviceId);
  if (record === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  return record.events.filter((e) => e.kind !== "upgrade");
}

/** v1.1 `show_media_info`: each entry with the media the lock captured of it (seed lines 1421-1429, 1620-1628). */
function withMedia<T extends object>(call: LockCall, event: DeviceEvent, log: T) {
  if ((call.query as { show_media_info?: boolean }).show_media_info !== true) return log;
  return { ...log, media_infos: mediaInfosOf(call.params.device_id ?? "", event) };
}

const openLogs = (unitMs: number) => (call: LockCall, deps: LockApiDeps) =>
  page(
    call,
    events(call, deps)
      .filter((e) => e.kind === "event" && nameOf(e) === "LOCK_OPEN")
      .map((e) => ({
        at: e.receivedAt,
        log: withMedia(call, e, {
          status: openStatus(infoOf(e)),
          update_time: e.receivedAt,
          unlock_name: "",
          user_id: "0",
          nick_name: "",
        }),
      })),
    unitMs,
    "logs",
  );

const alarmLogs = (unitMs: number) => (call: LockCall, deps: LockApiDeps) =>
  page(
    call,
    events(call, deps).flatMap((e) => {
      const status = alarmStatus(e);
      return status === undefined
        ? []
        : [
            {
              at: e.receivedAt,
              log: withMedia(call, e, { status, update_time: e.receivedAt, nick_name: "" }),
            },
          ];
    }),
    unitMs,
    "records",
  );

/** What the locks reported: openings and alarms, from the events they sent the platform (2032). */
export const logHandlers: LockHandlers = {
  listOpenLogs: openLogs(1000),
  listOpenLogsV11: openLogs(1),
  listAlarmLogs: alarmLogs(1000),
  listAlarmLogsV11: alarmLogs(1),
};
