import { z } from "zod";
import { Count, devicePath, fields, Long, none, Page, Text, userPath } from "./request.ts";
import { Paged, some, UserRecord } from "./result.ts";
import { A, B, entry, W, Z } from "./schema.ts";

/** The lock-API catalogue's device users (not home users) and their roles. */

const DeviceUser = some({
  device_id: z.string(),
  nick_name: z.string(),
  sex: z.literal([1, 2]),
  birthday: Long,
  height: Count,
  weight: Count,
  contact: z.string(),
});

const deviceUserFields = {
  nick_name: Text,
  sex: z.literal([1, 2]),
  birthday: Long.optional(),
  height: Count.optional(),
  weight: Count.optional(),
};

// seed lines 3497 and 3578: "result Object" with no fields named; `true` and an object are both read.
const DeviceUserDone = z.union([z.boolean(), z.looseObject({})]);

export const deviceUserEndpoints = {
  addDeviceUser: entry({
    id: "addDeviceUser",
    method: "POST",
    path: "/v1.0/devices/{device_id}/user",
    description: "Add a device user (not a home user).",
    listLine: 46,
    seedLine: 3438,
    lockTypes: [W, Z, B],
    // seed line 3442: the table has no "in" column; `device_id` is the path's, the rest the body's.
    request: {
      path: devicePath,
      query: none,
      body: fields({ ...deviceUserFields, contact: z.string().optional() }),
    },
    response: z.looseObject({ user_id: z.string() }),
  }),
  modifyDeviceUser: entry({
    id: "modifyDeviceUser",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/users/{user_id}",
    description: "Modify a device user (not a home user).",
    listLine: 47,
    seedLine: 3476,
    lockTypes: [W, Z, B],
    request: { path: userPath, query: none, body: fields(deviceUserFields) },
    response: DeviceUserDone,
  }),
  updateDeviceUserRole: entry({
    id: "updateDeviceUserRole",
    method: "PUT",
    path: "/v1.0/smart-lock/devices/{device_id}/users/{user_id}/actions/role",
    description: "Update the role of a device user.",
    listLine: 48,
    seedLine: 3507,
    lockTypes: [A],
    request: { path: userPath, query: none, body: fields({ role: z.enum(["admin", "normal"]) }) },
    // seed line 3539: the success example has no `result`; an absent result or `true` is read.
    response: z.boolean().optional(),
  }),
  deleteDeviceUser: entry({
    id: "deleteDeviceUser",
    method: "DELETE",
    path: "/v1.0/devices/{device_id}/users/{user_id}",
    description: "Delete a device user (not a home user).",
    listLine: 49,
    seedLine: 3564,
    lockTypes: [W, Z, B],
    request: { path: userPath, query: none, body: none },
    response: DeviceUserDone,
  }),
  getDeviceUser: entry({
    id: "getDeviceUser",
    method: "GET",
    path: "/v1.0/devices/{device_id}/users/{user_id}",
    description: "Query the information about a device user (not a home user ).",
    listLine: 50,
    seedLine: 3592,
    lockTypes: [W, Z, B],
    request: { path: userPath, query: none, body: none },
    // seed line 3601: the response table lists the user's fields with no envelope: they are the result's.
    response: DeviceUser,
    notes: ["administrators cannot be queried (seed line 3588)"],
  }),
  getDeviceUserV11: entry({
    id: "getDeviceUserV11",
    method: "GET",
    path: "/v1.1/devices/{device_id}/users/{user_id}",
    description: "Query the information about a device user (v1.1), including the current user.",
    listLine: 51,
    seedLine: 3624,
    lockTypes: [A],
    request: { path: userPath, query: none, body: none },
    response: UserRecord,
    notes: ["`user_id` 0 is the current user; administrators cannot be queried (seed lines 3616, 3631)"],
  }),
  listDeviceUsers: entry({
    id: "listDeviceUsers",
    method: "GET",
    path: "/v1.0/devices/{device_id}/users",
    description: "Query a list of users by device ID (not a home user).",
    listLine: 52,
    seedLine: 3737,
    lockTypes: [W, Z, B],
    request: { path: devicePath, query: none, body: none },
    // seed line 3745: the table lists one user's fields for "a list of users": the result is a list of them.
    response: z.array(DeviceUser),
  }),
  listDeviceUsersV11: entry({
    id: "listDeviceUsersV11",
    method: "GET",
    path: "/v1.1/devices/{device_id}/users",
    description: "Query a list of users by device ID (not a home user)-v1.1.",
    listLine: 53,
    seedLine: 3768,
    lockTypes: [A],
    request: {
      path: devicePath,
      query: fields({ keyword: z.string(), role: z.enum(["", "admin", "normal"]), ...Page }),
      body: none,
    },
    response: Paged(UserRecord),
  }),
} as const;
