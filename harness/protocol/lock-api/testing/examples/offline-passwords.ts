import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/offline-passwords.ts`. */

export const offlinePasswordRequests: readonly RequestExample[] = [
  {
    id: "getDynamicPassword",
    line: 1055,
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/dynamic-password",
  },
  {
    id: "getOfflineTempPassword",
    line: 1118,
    method: "POST",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/offline-temp-password",
    refused: ["body"],
    sent: {
      body: { effective_time: 1579156726, invalid_time: 1579243126, name: "guest", type: 0, lang: "en" },
      quirk: "the example has no body; the required fields are written from the table (line 1102)",
    },
  },
  {
    id: "getOfflineTempPasswordV11",
    line: 1212,
    method: "POST",
    path: "/v1.1/devices/6cdb36b2e489885fa57lzm/door-lock/offline-temp-password",
    refused: ["body"],
    sent: {
      body: { type: "once", name: "name267" },
      quirk:
        "the example has no body; offline_pwd_add_request is required (line 1174): a once password is asked",
    },
  },
  {
    id: "renameOfflineTempPassword",
    line: 1249,
    method: "PUT",
    path: "/v1.1/devices/6cdb36b2e489885fa5****/door-lock/offline-temp-password",
    body: { passwordName: "new0ne" },
    refused: ["route"],
    sent: {
      path: "/v1.0/devices/6cdb36b2e489885fa5****/door-lock/offline-temp-password/2345011",
      quirk:
        "the example puts v1.1 and no password_id in the path; passwordName is password_name in camelCase",
    },
  },
  {
    id: "setAdvancedPassword",
    line: 2060,
    method: "POST",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/advanced-password",
    body: {
      password_type: "ticket",
      password: "7A8F9B6197xxxx7C1D66",
      ticket_id: "fJeqZd45",
      advanced_type: "emergency",
    },
  },
  {
    id: "getAdvancedPassword",
    line: 2117,
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/advanced-password?advanced_type=admin",
  },
];

export const offlinePasswordResponses: readonly ResponseExample[] = [
  {
    id: "getDynamicPassword",
    line: 1075,
    body: { success: true, t: 1542626129429, result: { dynamic_password: "" } },
  },
  {
    id: "getOfflineTempPassword",
    line: 1138,
    body: { success: true, t: 1542626129429, result: { offline_temp_password: "" } },
  },
  {
    id: "getOfflineTempPasswordV11",
    line: 1216,
    body: {
      result: {
        effective_time: 1623747600,
        offline_temp_password_id: "2345011",
        offline_temp_password: "0282554135",
        invalid_time: 1623769200,
        offline_temp_password_name: "name267",
      },
      t: 1623748396631,
      success: true,
    },
  },
  { id: "renameOfflineTempPassword", line: 1261, body: { success: true, t: 1571898808491, result: true } },
  { id: "setAdvancedPassword", line: 2081, body: { success: true, t: 1542626129429, result: true } },
  {
    id: "getAdvancedPassword",
    line: 2143,
    body: { success: true, t: 1542626129429, result: { advanced_type: "admin", phase: 2 } },
  },
];
