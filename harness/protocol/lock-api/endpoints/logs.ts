import { z } from "zod";
import {
  Count,
  devicePath,
  fields,
  IdLike,
  Long,
  none,
  Page,
  pathOf,
  QueryBool,
  QueryInt,
  Text,
} from "./request.ts";
import { Done, Flag, Paged, some } from "./result.ts";
import { A, B, entry, V, W, Z, ZH } from "./schema.ts";

/** The lock-API catalogue's open logs, alarm logs, and records with their allocation to users. */

const MediaInfo = some({
  file_url: z.string(),
  file_key: z.string(),
  media_url: z.string(),
  media_key: z.string(),
});

// seed lines 1348 and 1552: `status` is documented a List, the v1.0 examples send one object: both are read.
const LogStatus = some({ code: z.string(), value: z.unknown() });

const Statuses = z.union([z.array(LogStatus), LogStatus]);

const OpenLog = some({
  status: Statuses,
  update_time: Long,
  unlock_name: z.string(),
  user_id: z.string(),
  nick_name: z.string(),
  media_infos: z.array(MediaInfo),
});

const AlarmLog = some({
  status: Statuses,
  update_time: Long,
  nick_name: z.string(),
  nickName: z.string(),
  media_infos: z.array(MediaInfo),
});

export const logEndpoints = {
  listOpenLogs: entry({
    id: "listOpenLogs",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/open-logs",
    description: "Query the unlocking records.",
    listLine: 65,
    seedLine: 1279,
    lockTypes: [W, ZH, B],
    request: {
      path: devicePath,
      query: fields({ ...Page, start_time: QueryInt, end_time: QueryInt }),
      body: none,
    },
    response: some({ total: Count, logs: z.array(OpenLog) }),
    notes: [
      "seed line 1269: its section says it only applies to legacy versions, while the list stars v1.1 (line 66)",
    ],
  }),
  listOpenLogsV11: entry({
    id: "listOpenLogsV11",
    method: "GET",
    path: "/v1.1/devices/{device_id}/door-lock/open-logs",
    description: "Query the unlocking records.",
    listLine: 66,
    seedLine: 1380,
    legacy: true,
    lockTypes: [W, ZH, B, V],
    request: {
      path: devicePath,
      // seed line 1390 names `showMediaInfo`, the example (line 1394) `show_media_info`.
      query: fields({
        ...Page,
        start_time: QueryInt,
        end_time: QueryInt,
        show_media_info: QueryBool.optional(),
      }),
      body: none,
    },
    response: some({ total: Count, logs: z.array(OpenLog) }),
  }),
  listAlarmLogs: entry({
    id: "listAlarmLogs",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/alarm-logs",
    description: "Get the alert records.",
    listLine: 67,
    seedLine: 1499,
    lockTypes: [W, Z, ZH, B],
    request: { path: devicePath, query: fields({ ...Page, dp_codes: z.string().optional() }), body: none },
    response: some({ total: Count, records: z.array(AlarmLog) }),
    notes: [
      "seed line 1488: its section says it only applies to legacy versions, while the list stars v1.1 (line 68)",
    ],
  }),
  listAlarmLogsV11: entry({
    id: "listAlarmLogsV11",
    method: "GET",
    path: "/v1.1/devices/{device_id}/door-lock/alarm-logs",
    description: "Get the alert records.",
    listLine: 68,
    seedLine: 1582,
    legacy: true,
    lockTypes: [W, Z, ZH, B, V],
    request: {
      path: devicePath,
      // seed line 1591 names `show_media_info`, the example (line 1595) `showMediaInfo`.
      query: fields({ ...Page, codes: z.string().optional(), show_media_info: QueryBool.optional() }),
      body: none,
    },
    response: some({ total: Count, records: z.array(AlarmLog) }),
  }),
  listRecords: entry({
    id: "listRecords",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/records",
    description: "Get the alert records and unlocking records.",
    listLine: 69,
    seedLine: 1680,
    lockTypes: [A],
    request: {
      path: devicePath,
      // seed line 1694: the example spells every parameter in camelCase (`targetStandardDpCodes`, `pageNo`).
      query: fields({ target_standard_dp_codes: Text, start_time: QueryInt, end_time: QueryInt, ...Page }),
      body: none,
    },
    response: Paged(
      some({
        record_id: z.string(),
        media_info_list: z.array(MediaInfo),
        union_unlock_info: z.array(
          some({ user_name: z.string(), opmode: z.string(), unlock_name: z.string() }),
        ),
        unlock_name: z.string(),
        gmt_create: Long,
        dps: z.array(z.record(z.string(), z.unknown())),
        avatar: z.string(),
        member_bindable_flag: Flag,
        user_id: z.string(),
        user_name: z.string(),
        record_type: z.enum(["alarm", "normal"]),
      }),
    ),
  }),
  allocateRecord: entry({
    id: "allocateRecord",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/records/{record_id}/actions/allocate",
    description: "Link a specified record with a user.",
    listLine: 70,
    seedLine: 1798,
    lockTypes: [A],
    request: { path: pathOf({ record_id: Text }), query: none, body: fields({ user_id: IdLike }) },
    response: Done,
  }),
} as const;
