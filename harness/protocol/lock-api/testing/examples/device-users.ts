import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/device-users.ts`. */

export const deviceUserRequests: readonly RequestExample[] = [
  {
    id: "updateDeviceUserRole",
    line: 3521,
    method: "PUT",
    path: "/v1.0/smart-lock/devices/6c5fa86feedc16f77d****/users/8923iu****/actions/role",
    body: { role: "admin" },
  },
  { id: "getDeviceUserV11", line: 3635, method: "GET", path: "/v1.1/devices/vdevo16232264458****/users/0" },
  {
    id: "listDeviceUsersV11",
    line: 3785,
    method: "GET",
    path: "/v1.1/devices/vdevo16232264458****/users?keyword=test&role=admin&page_no=1&page_size=10",
  },
  {
    id: "addDeviceUser",
    line: 3440,
    source: "table",
    method: "POST",
    path: "/v1.0/devices/vdevo153459260090544/user",
    body: {
      nick_name: "Guest",
      sex: 2,
      birthday: 631152000,
      height: 170,
      weight: 60000,
      contact: "86-13700000000",
    },
  },
  {
    id: "modifyDeviceUser",
    line: 3478,
    source: "table",
    method: "PUT",
    path: "/v1.0/devices/vdevo153459260090544/users/2001",
    body: { nick_name: "Guest 2", sex: 1 },
  },
  {
    id: "deleteDeviceUser",
    line: 3567,
    source: "table",
    method: "DELETE",
    path: "/v1.0/devices/vdevo153459260090544/users/2001",
  },
  {
    id: "getDeviceUser",
    line: 3595,
    source: "table",
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/users/2001",
  },
  {
    id: "listDeviceUsers",
    line: 3740,
    source: "table",
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/users",
  },
];

export const deviceUserResponses: readonly ResponseExample[] = [
  {
    id: "updateDeviceUserRole",
    line: 3539,
    body: { success: true, t: 1614147303662 },
    quirk: "the success example has no result",
  },
  {
    id: "getDeviceUserV11",
    line: 3704,
    body: {
      result: {
        avatar_url:
          "https://thirdwx.qlogo.cn/mmopen/vi_32/y6E5GpvgQicwyxjCkJfpNcBo5Sd6wtmYbjHY6kzyibEn9yNicmGDZWrc0BxaaC2xFPibh5k9niaRMjGTEuNFZPFsP3g/132",
        lock_user_id: 1,
        nick_name: "Alan",
        user_contact: "",
        user_id: "38028607",
        user_type: 50,
      },
      success: true,
      t: 1632448688665,
    },
  },
  {
    id: "listDeviceUsersV11",
    line: 3863,
    body: {
      result: {
        has_more: true,
        records: [
          {
            avatar_url: "",
            back_home_notify_attr: 0,
            effective_flag: 1,
            lock_user_id: 1,
            nick_name: "Nicole",
            time_schedule_info: { permanent: true },
            user_contact: "test@163.com",
            user_id: "30665363",
            user_type: 50,
            uid: "ay1***6168*****VdmWA",
          },
        ],
        total: 14,
        total_pages: 14,
      },
      success: true,
      t: 1624613523063,
    },
  },
  {
    id: "addDeviceUser",
    line: 3454,
    source: "table",
    body: { success: true, t: 1571898808491, result: { user_id: "2001" } },
  },
  {
    id: "modifyDeviceUser",
    line: 3492,
    source: "table",
    body: { success: true, t: 1571898808491, result: true },
  },
  {
    id: "deleteDeviceUser",
    line: 3573,
    source: "table",
    body: { success: true, t: 1571898808491, result: true },
  },
  {
    id: "getDeviceUser",
    line: 3601,
    source: "table",
    body: {
      success: true,
      t: 1571898808491,
      result: {
        device_id: "vdevo153459260090544",
        nick_name: "Guest",
        sex: 2,
        birthday: 631152000,
        height: 170,
        weight: 60000,
        contact: "86-13700000000",
      },
    },
  },
  {
    id: "listDeviceUsers",
    line: 3745,
    source: "table",
    body: {
      success: true,
      t: 1571898808491,
      result: [{ device_id: "vdevo153459260090544", nick_name: "Guest", sex: 2 }],
    },
  },
];
