import { z } from "zod";
import {
  Count,
  codeList,
  devicePath,
  fields,
  IdLike,
  IntLike,
  Long,
  Minute,
  none,
  Page,
  params,
  pathOf,
  Text,
  UserDpCodes,
  userPath,
  WorkingDay,
} from "./request.ts";
import { Done, Flag, Paged, some, TimeSchedule, UserRecord, UserType } from "./result.ts";
import { A, entry, K, V } from "./schema.ts";

/** The lock-API catalogue's home users: their list with unlocking methods, validity periods, removed users. */

export const homeUserEndpoints = {
  listHomeUsers: entry({
    id: "listHomeUsers",
    method: "GET",
    path: "/v1.0/smart-lock/devices/{device_id}/users",
    description: "Get a list of home users and unlocking methods.",
    listLine: 82,
    seedLine: 2924,
    lockTypes: [K, V],
    request: {
      path: devicePath,
      // seed lines 2938-2939 put `page_no` and `page_size` in the URI and the example (line 2944) sends all three as
      // the JSON body of a GET: they are read from the query.
      query: fields({ codes: codeList(UserDpCodes), ...Page }),
      body: none,
    },
    // seed line 2964 types `user_id` Long (the example sends text) and `time_schedule_info` a json array (the example
    // sends one object): both are read.
    response: Paged(
      UserRecord.extend({
        user_id: IdLike.optional(),
        time_schedule_info: z.union([TimeSchedule, z.array(TimeSchedule)]).optional(),
        unlock_detail: z.array(
          some({
            dp_code: z.string(),
            count: Count,
            unlock_list: z.array(
              some({
                unlock_id: z.string(),
                unlock_sn: Count,
                unlock_name: z.string(),
                unlock_attr: Flag,
                op_mode_id: Long,
                photo_unlock: z.boolean(),
                admin: z.boolean(),
              }),
            ),
          }),
        ),
      }),
    ),
  }),
  updateHomeUserSchedule: entry({
    id: "updateHomeUserSchedule",
    method: "PUT",
    path: "/v1.0/smart-lock/devices/{device_id}/users/{user_id}/schedule",
    description: "Update the validity period of a home user.",
    listLine: 83,
    seedLine: 3093,
    lockTypes: [K, A],
    request: {
      path: userPath,
      query: none,
      // seed line 3100: one body parameter `schedule`; the example (line 3128) sends its fields at the top level.
      // Both are read: a `schedule` object is unwrapped. `permanent` is required; a period that is not permanent
      // has its effective and expiry times.
      body: z.preprocess(
        (b) =>
          b !== null && typeof b === "object" && "schedule" in b ? (b as { schedule: unknown }).schedule : b,
        params(
          z
            .looseObject({
              permanent: z.boolean(),
              effective_time: IntLike.optional(),
              expired_time: IntLike.optional(),
              schedule_details: z
                .array(
                  z.looseObject({
                    start_minute: IntLike.pipe(Minute).optional(),
                    end_minute: IntLike.pipe(Minute).optional(),
                    working_day: WorkingDay.optional(),
                    all_day: z.boolean().optional(),
                    time_zone_id: z.string().optional(),
                  }),
                )
                .optional(),
            })
            .refine((s) => s.permanent || (s.effective_time !== undefined && s.expired_time !== undefined), {
              path: ["effective_time"],
              message: "a schedule that is not permanent has effective_time and expired_time",
            }),
        ),
      ),
    },
    response: Done,
  }),
  listAbsentUsers: entry({
    id: "listAbsentUsers",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/absent-users",
    description: "Get a list of removed users.",
    listLine: 85,
    seedLine: 3325,
    lockTypes: [V],
    request: { path: devicePath, query: none, body: none },
    // seed line 3345 says "result Boolean"; the fields and the example are a list of users.
    response: z.array(some({ user_id: z.string(), user_type: UserType, lock_user_id: z.int() })),
  }),
  deleteUsersIssue: entry({
    id: "deleteUsersIssue",
    method: "POST",
    path: "/v1.0/smart-lock/devices/{device_id}/users/{user_ids}/actions/delete-users-issue",
    description: "Delete the information about users.",
    listLine: 86,
    seedLine: 3389,
    lockTypes: [V],
    // `user_ids`: user IDs separated by commas.
    request: { path: pathOf({ user_ids: Text }), query: none, body: none },
    response: Done,
  }),
} as const;
