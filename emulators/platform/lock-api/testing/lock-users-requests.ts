import type { LockEndpointId } from "../../../../harness/protocol/lock-api/endpoints.ts";

/** Requests of the users' endpoints for the SDK tests. */

export type Request = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: object;
  body?: object;
};
/** The lock types the SDK tests' world has a lock of. */
type Ids = Record<
  "wifi" | "zigbee" | "keepalive-wifi" | "wifi-video" | "wifi-access-control" | "zigbee-hotel",
  string
>;

/**
 * Each endpoint of the lock types beyond Wi-Fi and Zigbee locks: a lock type it applies to, one it does not, and a
 * valid request about a lock (`d`), its home member (`u`) and a record of it (`r`).
 */
export const byLockType: Array<
  [LockEndpointId, keyof Ids, keyof Ids, (d: string, u: string, r: string) => Request]
> = [
  [
    "getDeviceUserV11",
    "wifi-access-control",
    "wifi",
    (d) => ({ method: "GET", path: `/v1.1/devices/${d}/users/0` }),
  ],
  [
    "listDeviceUsersV11",
    "wifi-access-control",
    "keepalive-wifi",
    (d) => ({
      method: "GET",
      path: `/v1.1/devices/${d}/users`,
      query: { keyword: "", role: "", page_no: 1, page_size: 10 },
    }),
  ],
  [
    "updateDeviceUserRole",
    "wifi-access-control",
    "wifi-video",
    (d, u) => ({
      method: "PUT",
      path: `/v1.0/smart-lock/devices/${d}/users/${u}/actions/role`,
      body: { role: "admin" },
    }),
  ],
  [
    "listHomeUsers",
    "keepalive-wifi",
    "wifi-access-control",
    (d) => ({
      method: "GET",
      path: `/v1.0/smart-lock/devices/${d}/users`,
      query: { codes: "unlock_fingerprint", page_no: 1, page_size: 10 },
    }),
  ],
  [
    "updateHomeUserSchedule",
    "keepalive-wifi",
    "wifi-video",
    (d, u) => ({
      method: "PUT",
      path: `/v1.0/smart-lock/devices/${d}/users/${u}/schedule`,
      body: { permanent: true },
    }),
  ],
  [
    "deleteUsersIssue",
    "wifi-video",
    "zigbee-hotel",
    (d, u) => ({
      method: "POST",
      path: `/v1.0/smart-lock/devices/${d}/users/${u}/actions/delete-users-issue`,
    }),
  ],
  [
    "listAbsentUsers",
    "wifi-video",
    "keepalive-wifi",
    (d) => ({ method: "GET", path: `/v1.0/devices/${d}/door-lock/absent-users` }),
  ],
  [
    "allocateOpmodes",
    "wifi-access-control",
    "wifi-video",
    (d, u) => ({
      method: "POST",
      path: `/v1.0/devices/${d}/door-lock/opmodes/actions/allocate`,
      body: { user_id: u, unlock_list: [{ dp_code: "unlock_fingerprint", unlock_sn: 1 }] },
    }),
  ],
  [
    "syncOpmodes",
    "wifi-video",
    "zigbee",
    (d) => ({
      method: "POST",
      path: `/v1.0/smart-lock/devices/${d}/opmodes/actions/sync`,
      body: { codes: "unlock_card" },
    }),
  ],
  [
    "renameOpmode",
    "wifi-access-control",
    "wifi",
    (d) => ({
      method: "PUT",
      path: `/v1.0/devices/${d}/door-lock/opmodes/1`,
      body: { dp_code: "unlock_fingerprint", unlock_name: "hall finger" },
    }),
  ],
  [
    "listUserOpmodes",
    "wifi-access-control",
    "keepalive-wifi",
    (d, u) => ({
      method: "GET",
      path: `/v1.0/smart-lock/devices/${d}/opmodes/${u}`,
      query: { codes: "", unlock_name: "", page_no: 1, page_size: 10 },
    }),
  ],
  [
    "listRecords",
    "wifi-access-control",
    "wifi-video",
    (d) => ({
      method: "GET",
      path: `/v1.0/devices/${d}/door-lock/records`,
      query: {
        target_standard_dp_codes: "unlock_password",
        start_time: 0,
        end_time: 0,
        page_no: 1,
        page_size: 10,
      },
    }),
  ],
  [
    "allocateRecord",
    "wifi-access-control",
    "zigbee",
    (d, u, r) => ({
      method: "POST",
      path: `/v1.0/devices/${d}/door-lock/records/${r}/actions/allocate`,
      body: { user_id: u },
    }),
  ],
];
