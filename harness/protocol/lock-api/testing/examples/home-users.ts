import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/home-users.ts`. */

export const homeUserRequests: readonly RequestExample[] = [
  {
    id: "listHomeUsers",
    line: 2943,
    method: "GET",
    path: "/v1.0/smart-lock/devices/vdevo12454656****/users",
    body: { codes: "unlock_fingerprint,unlock_password", page_no: 1, page_size: 100 },
    refused: ["codes", "page_no", "page_size"],
    sent: {
      path: "/v1.0/smart-lock/devices/vdevo12454656****/users?codes=unlock_fingerprint,unlock_password&page_no=1&page_size=100",
      body: undefined,
      quirk: "the example sends the query as the JSON body of a GET",
    },
  },
  {
    id: "updateHomeUserSchedule",
    line: 3127,
    method: "PUT",
    path: "/v1.0/smart-lock/devices/vdevo12454656****/users/130**/schedule",
    body: {
      scheduleDetails: [{ allDay: false, start_minute: "420", end_minute: "1438", workingDay: 99 }],
      effectiveTime: 1628179200,
      expiredTime: 1640015999,
      permanent: false,
    },
  },
  {
    id: "listAbsentUsers",
    line: 3334,
    method: "GET",
    path: "/v1.0/devices/6c982a30639b8f6338d3ox/door-lock/absent-users",
  },
  {
    id: "deleteUsersIssue",
    line: 3399,
    method: "POST",
    path: "/v1.0/smart-lock/devices/6c982a30639b8f6338****/users/xxx/actions/delete-users-issue",
  },
];

export const homeUserResponses: readonly ResponseExample[] = [
  {
    id: "listHomeUsers",
    line: 3037,
    body: {
      result: {
        has_more: false,
        records: [
          {
            avatar_url: "https://****",
            back_home_notify_attr: 0,
            effective_flag: 1,
            lock_user_id: 5,
            nick_name: "Test 1",
            time_schedule_info: {
              delivery_status: "SUCCESS",
              effective_time: 1628179200,
              expired_time: 1638806399,
              operate: "MODIFY",
              permanent: false,
              schedule_details: [{ all_day: false, start_minute: 60, end_minute: 480, working_day: 97 }],
            },
            uid: "ay1541490670142A1Dti",
            unlock_detail: [],
            user_contact: "86-13757150532",
            user_id: "38823920",
            user_type: 10,
          },
        ],
        total: 18,
        total_pages: 1,
      },
      success: true,
      t: 1628241725953,
    },
  },
  { id: "updateHomeUserSchedule", line: 3155, body: { result: true, success: true, t: 1628241725953 } },
  {
    id: "listAbsentUsers",
    line: 3361,
    body: {
      result: [{ user_id: "390981", user_type: 10, lock_user_id: 2 }],
      success: true,
      t: 1628241725953,
    },
  },
  { id: "deleteUsersIssue", line: 3414, body: { result: true, success: true, t: 1628241725953 } },
];
