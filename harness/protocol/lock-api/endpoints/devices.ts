import { z } from "zod";
import { devicePath, fields, Long, none, QueryInt, Text } from "./request.ts";
import { Paged, some } from "./result.ts";
import { A, B, BG, entry, K, V, W, Z, ZH } from "./schema.ts";

/** The lock-API catalogue's device information, by device and by user account. */

const DeviceInfo = some({
  id: z.string(),
  uuid: z.string(),
  uid: z.string(),
  name: z.string(),
  time_zone: z.string(),
  ip: z.string(),
  local_key: z.string(),
  sub: z.boolean(),
  model: z.string(),
  active_time: Long,
  owner_id: z.string(),
  product_id: z.string(),
  product_name: z.string(),
  category: z.string(),
  icon: z.string(),
  online: z.boolean(),
  biz_type: Long,
  // seed line 4855: `status` is documented Object<status>, the example (line 4899) sends a list: both are read.
  status: z.union([
    z.array(some({ code: z.string(), value: z.unknown(), type: z.string() })),
    z.looseObject({}),
  ]),
});

export const deviceEndpoints = {
  getDevice: entry({
    id: "getDevice",
    method: "GET",
    path: "/v1.0/devices/{device_id}",
    description:
      "Get the information about a specified device. You get the local key to encrypt and decrypt the password.",
    listLine: 81,
    seedLine: 4821,
    // seed line 4813: a device API with no "Applicable lock types": every lock type.
    lockTypes: [W, Z, B, BG, ZH, K, V, A],
    request: { path: devicePath, query: none, body: none },
    response: DeviceInfo,
  }),
  listUserDevices: entry({
    id: "listUserDevices",
    method: "GET",
    path: "/v1.0/smart-lock/users/{uid}/devices",
    description: "Get the devices linked with a specified user account.",
    listLine: 56,
    seedLine: 3999,
    lockTypes: [A],
    request: {
      // seed line 4005 describes `uid` as "The device ID"; it is the user account's UID (the path and the list).
      path: z.strictObject({ uid: Text }),
      // seed line 4007: `page_size` has no Required value: optional.
      query: fields({ page_no: QueryInt, page_size: QueryInt.optional() }),
      body: none,
    },
    response: Paged(DeviceInfo),
  }),
} as const;
