import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/logs.ts`. */

export const logRequests: readonly RequestExample[] = [
  {
    id: "listOpenLogs",
    line: 1292,
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/open-logs?page_no=1&page_size=20&start_time=1543213146&end_time=1543213546",
  },
  {
    id: "listOpenLogsV11",
    line: 1394,
    method: "GET",
    path: "/v1.1/devices/6cdb36b2e489885fa57lzm/door-lock/open-logs?page_no=1&page_size=3&start_time=1553053133000&end_time=1614008938000&show_media_info=true",
  },
  {
    id: "listAlarmLogs",
    line: 1511,
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/alarm-logs?page_no=1&page_size=20&dp_codes=hijack",
  },
  {
    id: "listAlarmLogsV11",
    line: 1595,
    method: "GET",
    path: "/v1.1/devices/6ca87475b5bfbaa716felz/door-lock/alarm-logs?page_size=20&codes=doorbell&showMediaInfo=true&page_no=1",
  },
  {
    id: "listRecords",
    line: 1694,
    method: "GET",
    path: "/v1.0/devices/vdevo1623226445*****/door-lock/records?targetStandardDpCodes=unlock_password,unlock_card&startTime=0&endTime=0&pageNo=1&pageSize=10",
  },
  {
    id: "allocateRecord",
    line: 1809,
    method: "POST",
    path: "/v1.0/devices/vdevo16232264458****/door-lock/records/162315AAXEQDzL*****CRCxYNIADC506****/actions/allocate",
    body: { userId: 1980012 },
  },
];

export const logResponses: readonly ResponseExample[] = [
  {
    id: "listOpenLogs",
    line: 1341,
    body: {
      success: true,
      t: 1542626129429,
      result: {
        total: 1,
        logs: [
          {
            status: { code: "unlock_finger", value: "123456" },
            nick_name: "",
            unlock_name: "",
            update_time: 1612098422000,
            user_id: "0",
          },
        ],
      },
    },
  },
  {
    id: "listOpenLogsV11",
    line: 1452,
    body: {
      result: {
        logs: [
          {
            media_infos: [{ file_key: "uwu5m7kvj45av47g", file_url: "https://..." }],
            nick_name: "",
            status: { code: "unlock_app", value: "0" },
            unlock_name: "",
            update_time: 1613978384000,
            user_id: "0",
          },
        ],
        total: 1,
      },
      success: true,
      t: 1614063791358,
    },
  },
  {
    id: "listAlarmLogs",
    line: 1545,
    body: {
      success: true,
      t: 1542626129429,
      result: {
        total: 1,
        records: [{ status: { code: "hijack", value: "unlock_fingerprint-02" }, update_time: 1543297979 }],
      },
    },
  },
  {
    id: "listAlarmLogsV11",
    line: 1638,
    body: {
      result: {
        records: [
          {
            media_infos: [
              {
                file_key: "jxmgqs59gfr899qe",
                file_url: "https://ty-cn-storage60-1254153901.cos.tuyacn.com/",
              },
            ],
            nick_name: "",
            status: [{ code: "alarm_lock", value: "wrong_password" }],
            update_time: 1613979671000,
          },
        ],
        total: 1,
      },
      success: true,
      t: 1614152402757,
    },
  },
  {
    id: "listRecords",
    line: 1755,
    body: {
      result: {
        has_more: false,
        records: [
          {
            avatar:
              "https://airtake-public-data-1254153901.cos.ap-shanghai.myqcloud.com/smart/user_avatar/ay1565317415087U6QVp/F062FD1C-CA44-440A-9AE5-E270BE4826DD.png?sign=q-sign-algorithm%3Dsha1%26q-ak%3DAKIDopcCYgw0qRoyV5qfKjvg2pPkqESnb5zI%26q-sign-time%3D1624606578%3B1624610178%26q-key-time%3D1624606578%3B1624610178%26q-header-list%3Dhost%26q-url-param-list%3D%26q-signature%3D467422052c41744943fa1c734ed9a44ad2ad7fe1",
            dps: [{ unlock_password: "*" }],
            gmt_create: 1624604728299,
            member_bindable_flag: 0,
            record_id: "162460b8cfcbb6-d583-11eb-adea-0242878ef26647****",
            record_type: "alarm",
            unlock_name: "Password 1",
            user_id: "3066****",
            user_name: "James",
          },
        ],
        total: 1,
        total_pages: 1,
      },
      success: true,
      t: 1624606578846,
    },
  },
  { id: "allocateRecord", line: 1821, body: { success: true, t: 1571898808491, result: true } },
];
