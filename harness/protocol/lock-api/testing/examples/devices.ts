import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/devices.ts`. */

export const deviceRequests: readonly RequestExample[] = [
  {
    id: "listUserDevices",
    line: 4011,
    method: "GET",
    path: "/v1.0/smart-lock/users/bay1629701943556****/devices?page_no=1&page_size=10",
  },
  { id: "getDevice", line: 4870, method: "GET", path: "/v1.0/devices/vdevo153490924188132" },
];

export const deviceResponses: readonly ResponseExample[] = [
  {
    id: "listUserDevices",
    line: 4057,
    body: {
      result: {
        has_more: false,
        records: [
          {
            active_time: 1626252626,
            category: "ldcg",
            icon: "smart/program_category_icon/ldcg.png",
            id: "6c8d95e9b2d8cfe1a*****",
            ip: "",
            lat: "",
            local_key: "dc1ba7ed034****c",
            lon: "",
            model: "S-LUX-ZB",
            name: "Light Sensor",
            online: true,
            product_id: "pisltm67",
            product_name: "Luminance Sensor",
            sub: true,
            time_zone: "+08:00",
            uuid: "6c8d9*****d8cfe1a****",
          },
        ],
        total: 2,
        total_pages: 1,
      },
      success: true,
      t: 1632462436318,
    },
  },
  {
    id: "getDevice",
    line: 4883,
    body: {
      success: true,
      result: {
        active_time: 1589505938,
        biz_type: 299009,
        category: "qt",
        create_time: 1560827137,
        icon: "smart/icon/15402589135gknz23xajb_0.png",
        id: "60613135b121cddc294****",
        ip: "120.198.****.****",
        local_key: "3a9b50126fe473****",
        name: "Body fat scale",
        online: true,
        owner_id: "1070****",
        product_id: "g0er6hSKgMqr****",
        product_name: "Wifi scales_OEM",
        status: [
          { code: "weight", value: "48900" },
          { code: "left_hand_r", value: "0" },
          { code: "right_hand_r", value: "0" },
          { code: "left_leg_r", value: "0" },
          { code: "right_leg_r", value: "0" },
          { code: "body_r", value: "653" },
          { code: "battery_low", value: "false" },
        ],
        sub: false,
        time_zone: "+08:00",
        uid: "ay157896239864843g****",
        update_time: 1589764585,
        uuid: "60613135b23cddc294****",
      },
    },
    quirk: "the example has no t",
  },
];
