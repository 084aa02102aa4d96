import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockApiDeps, LockCall, LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import { type LockRecord, RecordLinks, recordsOf } from "./lock-users-records.ts";
import { paged } from "./user-shown.ts";

interface RecordQuery {
  target_standard_dp_codes: string;
  start_time: number;
  end_time: number;
}

/** Records of access control devices: openings and alarms, and linking one with a user. */
export function recordHandlers(keys: LockUserKeys): LockHandlers {
  const links = new RecordLinks();
  const { book } = keys;

  /** The lock's records as shown: who opened (linked by the cloud, else the key's user), whether it can be linked. */
  function shown(deviceId: string, deps: LockApiDeps) {
    const held = keys.keys(deviceId);
    return recordsOf(deps.store.get(deviceId)?.events ?? []).map((r: LockRecord) => {
      const key = r.keyId === undefined ? undefined : held.find((k) => k.keyId === r.keyId);
      const userId = links.userOf(deviceId, r.recordId) ?? key?.userId;
      const user = userId === undefined ? undefined : book.user(deviceId, userId);
      const bindable = r.type === "normal" && userId === undefined;
      return {
        record: r,
        bindable,
        shown: {
          record_id: r.recordId,
          record_type: r.type,
          gmt_create: r.at,
          dps: [{ [r.dpCode]: r.value }],
          unlock_name: key?.name ?? "",
          user_id: userId ?? "",
          user_name: user?.nickName ?? "",
          avatar: "",
          member_bindable_flag: bindable ? 1 : 0,
          media_info_list: [],
          union_unlock_info: [],
        },
      };
    });
  }

  return {
    listRecords: (call: LockCall, deps) => {
      const deviceId = lockOf(call, deps);
      const q = call.query as RecordQuery;
      const codes = q.target_standard_dp_codes.split(",");
      // seed line 1690: a time of 0 is no bound; times are milliseconds, as `gmt_create` is.
      const to = q.end_time === 0 ? Number.POSITIVE_INFINITY : q.end_time;
      const records = shown(deviceId, deps)
        .filter(({ record: r }) => codes.includes(r.dpCode) && r.at >= q.start_time && r.at <= to)
        .reverse()
        .map((r) => r.shown);
      return paged(records, call.query);
    },
    allocateRecord: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const recordId = call.params.record_id ?? "";
      const userId = String((call.body as { user_id: string | number }).user_id);
      const found = shown(deviceId, deps).find((r) => r.record.recordId === recordId);
      if (found === undefined)
        throw new LockApiError(
          "dataNotExist",
          `record_id: no record ${JSON.stringify(recordId)}`,
          "record_id",
        );
      if (book.user(deviceId, userId) === undefined)
        throw new LockApiError("dataNotExist", `user_id: no user ${JSON.stringify(userId)}`, "user_id");
      // seed line 1747: a record already linked with a user (or an alarm) cannot be linked.
      if (!found.bindable)
        throw new LockApiError(
          "paramIllegal",
          `record_id: ${JSON.stringify(recordId)} cannot be linked (member_bindable_flag 0)`,
          "record_id",
        );
      links.link(deviceId, recordId, userId);
      return true;
    },
  };
}
