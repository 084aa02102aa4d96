import { z } from "zod";
import {
  Count,
  codeList,
  Digits,
  devicePath,
  fields,
  IdLike,
  none,
  OpmodeDpCodes,
  Page,
  params,
  pathOf,
  Text,
  userPath,
} from "./request.ts";
import { Done, Flag, some, UserType } from "./result.ts";
import { A, B, BG, entry, K, V, W, Z } from "./schema.ts";

/** The lock-API catalogue's unlocking methods: assignment to users, enrollment, names, attributes and duress alarms. */

const UnlockKey = some({ unlock_no: Count, unlock_type: z.string(), hijack: z.boolean() });

export const unlockMethodEndpoints = {
  allocateDeviceUserPassword: entry({
    id: "allocateDeviceUserPassword",
    method: "POST",
    path: "/v1.0/devices/{device_id}/device-lock/users/{user_id}/allocate",
    description: "Assign a password to a device user (not a home user).",
    listLine: 54,
    seedLine: 3909,
    lockTypes: [W, Z, B],
    // seed line 3914: no "in" column; `no` and `type` are read from the body.
    request: { path: userPath, query: none, body: fields({ no: Text, type: Text }) },
    response: Done,
  }),
  allocateOpmodes: entry({
    id: "allocateOpmodes",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/opmodes/actions/allocate",
    description: "Assign multiple unlocking methods to users.",
    listLine: 55,
    seedLine: 3943,
    lockTypes: [A, B],
    request: {
      path: devicePath,
      query: none,
      body: fields({
        user_id: IdLike,
        unlock_list: z.array(z.looseObject({ dp_code: Text, unlock_sn: z.int().nonnegative() })).min(1),
      }),
    },
    response: Done,
  }),
  listAssignedKeys: entry({
    id: "listAssignedKeys",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/user-types/{user_type}/users/{user_id}/assigned-keys",
    description: "Get a list of unlocking methods linked with a specified user (home user only).",
    listLine: 57,
    seedLine: 4114,
    lockTypes: [W, Z, B, V],
    request: {
      path: pathOf({ user_type: z.enum(["1", "2"]), user_id: Text }),
      query: fields({ unlock_type: z.string().optional() }),
      body: none,
    },
    response: some({ unlock_keys: z.array(UnlockKey) }),
    notes: ["user_type 1 is a home user, 2 not a home user; Wi-Fi lock with video talk: home users only"],
  }),
  listUnassignedKeys: entry({
    id: "listUnassignedKeys",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/unassigned-keys",
    description: "Get a list of unlocking methods that are not linked with users (home user only).",
    listLine: 58,
    seedLine: 4193,
    lockTypes: [W, Z, B, A],
    request: { path: devicePath, query: fields({ unlock_type: z.string().optional() }), body: none },
    response: some({ unlock_keys: z.array(UnlockKey) }),
  }),
  syncOpmodes: entry({
    id: "syncOpmodes",
    method: "POST",
    path: "/v1.0/smart-lock/devices/{device_id}/opmodes/actions/sync",
    description: "Sync unlocking methods by the cloud.",
    listLine: 59,
    seedLine: 4265,
    lockTypes: [BG, K, V, A],
    // seed line 4272 puts `codes` in the URL; the example (line 4284) sends it as the body of a PUT. The list's
    // and section's POST is the method; `codes` is read from the body, and a query `codes` is accepted too.
    request: {
      path: devicePath,
      query: fields({ codes: codeList(OpmodeDpCodes).optional() }),
      body: fields({ codes: codeList(OpmodeDpCodes) }),
    },
    response: Done,
  }),
  enrollUnlockMethod: entry({
    id: "enrollUnlockMethod",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/actions/entry",
    description: "Enroll unlocking methods (home user only).",
    listLine: 60,
    seedLine: 4335,
    lockTypes: [W, Z, B, K, V, A],
    request: {
      path: devicePath,
      query: none,
      body: params(
        z
          .looseObject({
            user_id: IdLike,
            user_type: z.literal([1, 2]),
            unlock_type: z.enum(["fingerprint", "password", "card", "face", "remoteControl"]),
            password_type: z.literal("ticket").optional(),
            ticket_id: Text.optional(),
            password: Text.optional(),
          })
          .refine(
            (b) => b.password === undefined || (b.ticket_id !== undefined && b.password_type !== undefined),
            {
              path: ["ticket_id"],
              message: "a password is sent with its ticket_id and password_type",
            },
          ),
      ),
    },
    response: Done,
    notes: ["`password` (with its ticket) only for Bluetooth locks enrolling a password (seed line 4356)"],
  }),
  deleteUnlockMethod: entry({
    id: "deleteUnlockMethod",
    method: "DELETE",
    path: "/v1.0/devices/{device_id}/door-lock/user-types/{user_type}/users/{user_id}/unlock-types/{unlock_type}/keys/{unlock_no}",
    description: "Delete unlocking methods (home user only).",
    listLine: 61,
    seedLine: 4412,
    lockTypes: [W, Z, B, K, A],
    request: {
      path: pathOf({ user_type: z.enum(["1", "2"]), user_id: Text, unlock_type: Text, unlock_no: Digits }),
      query: none,
      body: none,
    },
    response: Done,
  }),
  cancelUnlockMethodEnrollment: entry({
    id: "cancelUnlockMethodEnrollment",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/unlock-types/{unlock_type}/actions/cancel",
    description: "Cancel unlocking method enrollment (home user only).",
    listLine: 62,
    seedLine: 4477,
    lockTypes: [W, Z, B, K, V, A],
    request: { path: pathOf({ unlock_type: Text }), query: none, body: none },
    response: Done,
  }),
  renameOpmode: entry({
    id: "renameOpmode",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/opmodes/{unlock_sn}",
    description: "Update the names of unlocking methods.",
    listLine: 63,
    seedLine: 4530,
    lockTypes: [A],
    request: {
      path: pathOf({ unlock_sn: Digits }),
      query: none,
      body: fields({
        dp_code: z.enum([
          "unlock_password",
          "unlock_fingerprint",
          "unlock_card",
          "unlock_face",
          "unlock_telecontrol_kit",
        ]),
        unlock_name: Text,
      }),
    },
    response: Done,
  }),
  setUnlockMethodHijack: entry({
    id: "setUnlockMethodHijack",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/unlock-types/{unlock_type}/keys/{unlock_no}/hijack",
    description: "Set an unlocking method to trigger a duress alarm (home user only).",
    listLine: 64,
    seedLine: 4593,
    lockTypes: [W, Z, B],
    request: { path: pathOf({ unlock_type: Text, unlock_no: Digits }), query: none, body: none },
    response: Done,
  }),
  listUserOpmodes: entry({
    id: "listUserOpmodes",
    method: "GET",
    path: "/v1.0/smart-lock/devices/{device_id}/opmodes/{user_id}",
    description: "Get a list of unlocking methods applicable to a specified user.",
    listLine: 87,
    seedLine: 3178,
    lockTypes: [V, A],
    request: {
      path: userPath,
      // "The value can be empty" and "Required: Yes": present, possibly empty.
      query: fields({ codes: codeList(OpmodeDpCodes, true), unlock_name: z.string(), ...Page }),
      body: none,
    },
    // seed line 3211 says "result Boolean"; its fields and the example are a list of unlocking methods. `unlock_sn`
    // (String) and `allocate_flag` (Boolean, valued 1/0) arrive as numbers in the example.
    response: z.array(
      some({
        user_name: z.string(),
        user_id: z.string(),
        user_type: UserType,
        lock_user_id: z.int(),
        unlock_name: z.string(),
        opmode_id: z.string(),
        dp_code: z.string(),
        unlock_sn: z.union([z.string(), Count]),
        phase: z.int().min(1).max(10),
        unlock_attr: Flag,
        notify_info: z.union([
          some({ app_send: Flag, msg_phone: z.string(), voice_phone: z.string() }),
          z.string(),
        ]),
        allocate_flag: z.union([z.boolean(), Flag]),
      }),
    ),
  }),
  deleteUnlockMethodHijack: entry({
    id: "deleteUnlockMethodHijack",
    method: "DELETE",
    path: "/v1.0/smart-lock/devices/{device_id}/unlock-types/{unlock_type}/keys/{unlock_sn}/hijack",
    description: "Delete the duress alarm of unlocking methods.",
    listLine: 88,
    seedLine: 4649,
    lockTypes: [W, Z, B],
    request: {
      path: pathOf({
        unlock_type: z.enum(["unlock_fingerprint", "unlock_card", "unlock_password"]),
        unlock_sn: Digits,
      }),
      query: none,
      body: none,
    },
    response: Done,
  }),
  setOpmodeAttribute: entry({
    id: "setOpmodeAttribute",
    method: "POST",
    path: "/v1.0/smart-lock/devices/{device_id}/opmodes/{opmode_id}/attribute/{attribute}/opmode-attr",
    description: "Enable the image capturing attribute.",
    listLine: 93,
    seedLine: 4707,
    lockTypes: [W],
    // attribute 1: voice, 2: photo capturing.
    request: {
      path: pathOf({ opmode_id: Digits, attribute: z.enum(["1", "2"]) }),
      query: none,
      body: fields({ enabled: z.boolean() }),
    },
    response: Done,
  }),
} as const;
