import { z } from "zod";
import {
  Count,
  devicePath,
  Encrypted,
  fields,
  Long,
  Minute,
  none,
  pathLongPassword,
  pathPassword,
  QueryBool,
  QueryInt,
  Seconds10,
  Text,
  WorkingDay,
} from "./request.ts";
import { DeliveryText, Done, ScheduleDetail, some } from "./result.ts";
import { A, B, entry, K, V, W, Z, ZH } from "./schema.ts";

/** The lock-API catalogue's password tickets and temporary passwords: creation, lookup, lists, modify, freeze, delete, clear. */

const ScheduleItem = z.looseObject({ effective_time: Minute, invalid_time: Minute, working_day: WorkingDay });

const tempPasswordBody = {
  ...Encrypted,
  effective_time: Seconds10,
  invalid_time: Seconds10,
  // seed line 284: `"phone": 11233213`, a number where the table says String; both are accepted.
  phone: z.union([z.string(), z.int()]).optional(),
  type: z.literal([0, 1]).optional(),
  time_zone: z.string().optional(),
  schedule_list: z.array(ScheduleItem).optional(),
};

const typeForZigbee = "`type` (0 or 1) is required for Zigbee locks (seed line 255)";

const passwordDigits = "the plain password has 7 digits on Wi-Fi locks, 6 on Zigbee and Bluetooth locks";

const Ticket = z.looseObject({ ticket_id: z.string(), ticket_key: z.string(), expire_time: Long });

const Phase = z.literal([0, 1, 2, 3, 4, 5, 7]); // Zigbee 1-5, Wi-Fi 0-3, Bluetooth 0-3 and 7 (seed lines 544-562)

const ScheduleEntry = some({ effective_time: Long, invalid_time: Long, working_day: Count });

const tempPasswordFields = {
  id: Long,
  name: z.string(),
  phase: Phase,
  effective_time: Long,
  invalid_time: Long,
  phone: z.string(),
  time_zone: z.string(),
  delivery_status: z.literal([1, 2, 3, 4, 5, 6]),
  schedule_list: z.array(ScheduleEntry),
};

const passwordTicket = (id: string, path: string, listLine: number, seedLine: number, description: string) =>
  entry({
    id,
    method: "POST",
    path,
    description,
    listLine,
    seedLine,
    // The section lists W, Z, B, ZH and V; creating and modifying a temporary password (which take a ticket) apply
    // to keepalive locks and access control devices too: a ticket is read as applying wherever they do.
    lockTypes: [W, Z, B, ZH, V, K, A],
    request: { path: devicePath, query: none, body: none },
    response: Ticket,
    notes: [
      "`ticket_key` is encrypted with the client secret (the platform's accessKey)",
      "also for keepalive Wi-Fi locks and Wi-Fi access control devices, whose temporary passwords need a ticket",
    ],
  });

const zigbeeTempPasswordAction = (id: string, verb: string, listLine: number, seedLine: number) =>
  entry({
    id,
    method: "PUT",
    path: `/v1.0/devices/{device_id}/door-lock/temp-passwords/{password_id}/${verb}-password`,
    description: `${verb[0]?.toUpperCase()}${verb.slice(1)} a temporary password.`,
    listLine,
    seedLine,
    lockTypes: [Z],
    request: { path: pathPassword, query: none, body: none },
    response: Done, // "result Object: The information about the deleted password"; the example sends `true`
  });

export const tempPasswordEndpoints = {
  getPasswordTicket: passwordTicket(
    "getPasswordTicket",
    "/v1.0/devices/{device_id}/door-lock/password-ticket",
    31,
    176,
    "Get a temporary key for password encryption.",
  ),
  createTempPassword: entry({
    id: "createTempPassword",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/temp-password",
    description: "Create a temporary password. A periodic password is supported.",
    listLine: 32,
    seedLine: 239,
    lockTypes: [W, Z, B, ZH, K, V, A],
    request: { path: devicePath, query: none, body: fields({ name: Text, ...tempPasswordBody }) },
    response: z.looseObject({ id: Long }),
    notes: [typeForZigbee, passwordDigits, "`time_zone` is required with `schedule_list` (seed line 256)"],
  }),
  createTempPasswordV2: entry({
    id: "createTempPasswordV2",
    method: "POST",
    path: "/v2.0/devices/{device_id}/door-lock/temp-password",
    description: "Create an unnamed temporary password. A periodic password is supported.",
    listLine: 33,
    seedLine: 339,
    lockTypes: [W, Z, B, ZH, V],
    request: { path: devicePath, query: none, body: fields(tempPasswordBody) },
    response: z.looseObject({ id: Long }),
    notes: [typeForZigbee, passwordDigits],
  }),
  issuePassword: entry({
    id: "issuePassword",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/issue-password",
    description: "Synchronize passwords.",
    listLine: 34,
    seedLine: 435,
    lockTypes: [Z],
    request: {
      path: devicePath,
      query: none,
      // seed line 447: the example sends `"password_id": ""`; blank is read as absent: "all the passwords in
      // configuring" (line 441).
      body: fields({ password_id: z.union([Long, z.literal("")]).optional() }).optional(),
    },
    response: Done,
    notes: ["one call per device within 60 s (seed line 431)"],
  }),
  getTempPassword: entry({
    id: "getTempPassword",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/temp-password/{password_id}",
    description: "Get the information about a temporary password.",
    listLine: 35,
    seedLine: 488,
    lockTypes: [W, Z, B, ZH],
    request: { path: pathLongPassword, query: none, body: none },
    response: some(tempPasswordFields),
  }),
  listTempPasswords: entry({
    id: "listTempPasswords",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/temp-passwords",
    description: "Get a list of temporary passwords.",
    listLine: 36,
    seedLine: 601,
    lockTypes: [W, Z, ZH, B, V],
    request: { path: devicePath, query: fields({ valid: QueryBool.optional() }), body: none },
    // seed line 622 says "result Object"; the example (line 679) is a list whose items carry `password_id`
    // where the table names `id`: a list of items with either.
    response: z.array(some({ ...tempPasswordFields, password_id: Long })),
  }),
  listStandByTempPasswords: entry({
    id: "listStandByTempPasswords",
    method: "GET",
    path: "/v1.0/smart-lock/devices/{device_id}/stand-by-lock-temp-passwords",
    description: "Get a list of keepalive temporary passwords.",
    listLine: 37,
    seedLine: 705,
    lockTypes: [K, A],
    request: {
      path: devicePath,
      // seed line 712: the table names `lastRowKey` and `pageSize`, the example `last_row_key` and `page_size`.
      query: fields({
        valid: QueryBool.optional(),
        last_row_key: z.string().optional(),
        page_size: QueryInt.optional(),
      }),
      body: none,
    },
    response: some({
      has_more: z.boolean(),
      last_row_key: z.string(),
      records: z.array(
        some({
          password_id: Long,
          name: z.string(),
          gmt_create: Long,
          effective_time: Long,
          expired_time: Long,
          operate: z.string(),
          delivery_status: DeliveryText,
          effective_flag: z.literal([0, 1, 2]),
          schedule_details: z.array(ScheduleDetail),
        }),
      ),
    }),
  }),
  modifyTempPassword: entry({
    id: "modifyTempPassword",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/temp-passwords/{password_id}/modify-password",
    description: "Modify a temporary password.",
    listLine: 38,
    seedLine: 819,
    lockTypes: [W, Z, B, ZH, K, V, A],
    request: { path: pathLongPassword, query: none, body: fields(tempPasswordBody) },
    response: Done,
    notes: [typeForZigbee, passwordDigits, "Bluetooth locks do not support password change (seed line 811)"],
  }),
  freezeTempPassword: zigbeeTempPasswordAction("freezeTempPassword", "freeze", 39, 901),
  unfreezeTempPassword: zigbeeTempPasswordAction("unfreezeTempPassword", "unfreeze", 40, 948),
  deleteTempPassword: entry({
    id: "deleteTempPassword",
    method: "DELETE",
    path: "/v1.0/devices/{device_id}/door-lock/temp-passwords/{password_id}",
    description: "Delete a temporary password.",
    listLine: 41,
    seedLine: 1001,
    lockTypes: [W, Z, ZH, B, K, V, A],
    request: { path: pathPassword, query: none, body: none },
    response: Done,
  }),
  clearTempPasswords: entry({
    id: "clearTempPasswords",
    method: "POST",
    // seed line 1852: the example posts to `.../reset-password`; the list and the section say `rest-password`.
    path: "/v1.0/devices/{device_id}/door-lock/temp-passwords/rest-password",
    description: "Clear temporary passwords.",
    listLine: 71,
    seedLine: 1843,
    lockTypes: [ZH],
    request: { path: devicePath, query: none, body: none },
    response: Done,
  }),
  getSmartLockPasswordTicket: passwordTicket(
    "getSmartLockPasswordTicket",
    "/v1.0/smart-lock/devices/{device_id}/password-ticket",
    89,
    2685,
    "Get a temporary key for password encryption.",
  ),
} as const;
