import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/media.ts`. */

export const mediaRequests: readonly RequestExample[] = [
  {
    id: "getMediaViewTimes",
    line: 2177,
    method: "GET",
    path: "/v1.0/smart-lock/devices/vdevo124546565765/media-view-times",
  },
  {
    id: "addMediaViewTime",
    line: 2223,
    method: "POST",
    path: "/v1.0/smart-lock/devices/vdevo124546565765/media-view-times",
  },
  {
    id: "getLatestMediaUrl",
    line: 2757,
    method: "GET",
    path: "/v1.0/devices/6cdb36b2e489885fa57lzm/door-lock/latest/media/url?file_type=1",
  },
  {
    id: "listAlbumsMedia",
    line: 2816,
    method: "GET",
    path: "/v1.0/smart-lock/devices/vdevo153459260090544/albums-media",
  },
];

export const mediaResponses: readonly ResponseExample[] = [
  { id: "getMediaViewTimes", line: 2192, body: { result: 1, success: true, t: 1634712882506 } },
  { id: "addMediaViewTime", line: 2238, body: { result: 2, success: true, t: 1634713143910 } },
  {
    id: "getLatestMediaUrl",
    line: 2780,
    body: {
      result: {
        bucket: "ty-cn-storage60-1254153901",
        file_key: "u8kstrtjm7qun83q",
        file_path: "/3039e1-30532026.jpg",
        file_url: "https://ty-cn-storage60-1254153901.cos.tuyacn.com6",
      },
      success: true,
      t: 1614147303662,
    },
  },
  {
    id: "listAlbumsMedia",
    line: 2885,
    body: {
      success: true,
      t: 1542626129429,
      result: {
        album_list: [
          {
            event_type: 0,
            file_id: 109167468,
            file_key: "76679d2579c74eb7",
            file_url:
              "https://ty-cn-storage30-1254153901.cos.tuyacn.com/d76182-35779292-dc706aecd4469145/unify/1630051338.jpeg?sign=q-sign-algorithm%3Dsha1%26q-ak%3DAKIDopcCYgw0qRoyV5qfKjvg2pPkqESnb5zI%26q-sign-time%3D1630137629%3B1630141229%26q-key-time%3D1630137629%3B1630141229%26q-header-list%3Dhost%26q-url-param-list%3D%26q-signature%3D29b40dd6ed4281b78321ec978ce1e56361fd7b57",
            upload_time: 1630051337,
          },
        ],
        event_types: [0],
        order_code: "cloud_free_storage_3day",
      },
    },
  },
];
