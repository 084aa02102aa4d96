import { z } from "zod";
import {
  devicePath,
  Encrypted,
  fields,
  Long,
  none,
  params,
  pathLongPassword,
  Seconds10,
  Text,
} from "./request.ts";
import { Done, some } from "./result.ts";
import { A, B, entry, K, W, Z, ZH } from "./schema.ts";

/** The lock-API catalogue's offline (v1.0 and v1.1), dynamic and advanced passwords. */

const AdvancedType = z.enum(["admin", "emergency"]);

export const offlinePasswordEndpoints = {
  getOfflineTempPassword: entry({
    id: "getOfflineTempPassword",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/offline-temp-password",
    description: "Get an offline password.",
    listLine: 42,
    seedLine: 1100,
    lockTypes: [W, B],
    request: {
      path: devicePath,
      query: none,
      body: fields({
        effective_time: Seconds10,
        invalid_time: Seconds10,
        name: z.string().optional(),
        type: z.literal([0, 1, 9]),
        lang: z.enum(["zh", "en"]),
      }),
    },
    response: z.looseObject({ offline_temp_password: z.string() }),
  }),
  getOfflineTempPasswordV11: entry({
    id: "getOfflineTempPasswordV11",
    method: "POST",
    path: "/v1.1/devices/{device_id}/door-lock/offline-temp-password",
    description: "Get an offline password v1.1.",
    listLine: 43,
    seedLine: 1168,
    lockTypes: [W, Z, B, K, A],
    request: {
      path: devicePath,
      query: none,
      // seed line 1174: one body parameter `offline_pwd_add_request`; read as the body itself (its fields at the
      // top level). The times are rounded down to the hour by the server (lines 1181-1193).
      body: params(
        z
          .looseObject({
            effective_time: Long.optional(),
            invalid_time: Long.optional(),
            name: z.string().optional(),
            type: z.enum(["multiple", "once", "clear_one", "clear_all"]).optional(),
            password_id: z.string().optional(),
          })
          .refine((b) => b.type !== "clear_one" || (b.password_id ?? "") !== "", {
            path: ["password_id"],
            message: "password_id is required when type is clear_one",
          })
          .refine(
            (b) => b.type !== "multiple" || (b.effective_time !== undefined && b.invalid_time !== undefined),
            {
              path: ["effective_time"],
              message: "effective_time and invalid_time are required when type is multiple",
            },
          ),
      ),
    },
    response: some({
      offline_temp_password_id: z.string(),
      offline_temp_password: z.string(),
      offline_temp_password_name: z.string(),
      effective_time: Long,
      invalid_time: Long,
    }).required({ offline_temp_password: true }),
  }),
  renameOfflineTempPassword: entry({
    id: "renameOfflineTempPassword",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/offline-temp-password/{password_id}",
    description: "Update the name of an offline password.",
    listLine: 44,
    seedLine: 1238,
    lockTypes: [B, K, A],
    request: { path: pathLongPassword, query: none, body: fields({ password_name: Text }) },
    response: Done,
  }),
  getDynamicPassword: entry({
    id: "getDynamicPassword",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/dynamic-password",
    description: "Get a dynamic password.",
    listLine: 45,
    seedLine: 1046,
    lockTypes: [W, Z, B],
    request: { path: devicePath, query: none, body: none },
    response: z.looseObject({ dynamic_password: z.string() }),
  }),
  setAdvancedPassword: entry({
    id: "setAdvancedPassword",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/advanced-password",
    description: "Set an advanced password.",
    listLine: 79,
    seedLine: 2044,
    lockTypes: [ZH],
    request: { path: devicePath, query: none, body: fields({ ...Encrypted, advanced_type: AdvancedType }) },
    response: Done,
    notes: ["the plain password has 6 digits (seed line 2050)"],
  }),
  getAdvancedPassword: entry({
    id: "getAdvancedPassword",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/advanced-password",
    description: "Query an advanced password.",
    listLine: 80,
    seedLine: 2104,
    lockTypes: [ZH],
    request: { path: devicePath, query: fields({ advanced_type: AdvancedType }), body: none },
    // phase 1: being configured, 2: succeeded, 3: failed.
    response: some({ advanced_type: AdvancedType, phase: z.literal([1, 2, 3]) }),
  }),
} as const;
