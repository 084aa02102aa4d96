import type { RequestExample, ResponseExample } from "./types.ts";

/** The seed's examples of the endpoints in `endpoints/remote-unlock.ts`. */

export const remoteUnlockRequests: readonly RequestExample[] = [
  {
    id: "listRemoteUnlocks",
    line: 1899,
    method: "GET",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/remote-unlocks",
  },
  {
    id: "setRemoteUnlockConfig",
    line: 1963,
    method: "POST",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/remote-unlock/config",
    body: { remote_unlock_type: "remoteUnlockWithPwd", open: true },
  },
  {
    id: "openDoor",
    line: 2016,
    method: "POST",
    path: "/v1.0/devices/6c362ac3c53fbd6f3ewqfa/door-lock/open-door",
    refused: ["body"],
    sent: {
      body: { password: "7A8F9B6197AC7C1D66", password_type: "ticket", ticket_id: "fJeqZd45" },
      quirk: "the example has no body; the required fields are written from the table (line 2006)",
    },
  },
  {
    id: "passwordFreeOpenDoor",
    line: 2469,
    method: "POST",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/password-free/open-door",
    body: { ticket_id: "xxxxx" },
  },
  {
    id: "passwordFreeOpenDoorV11",
    line: 2522,
    method: "POST",
    path: "/v1.1/devices/vdevo15345926009****/door-lock/password-free/open-door",
    body: { ticket_id: "WHmutLIq", channel_id: 1 },
  },
  {
    id: "cancelPasswordFreeOpenDoor",
    line: 2577,
    method: "PUT",
    path: "/v1.0/devices/vdevo153459260090544/door-lock/password-free/open-door/cancel",
    body: { type: 1 },
  },
  {
    id: "passwordFreeDoorOperate",
    line: 2638,
    method: "POST",
    path: "/v1.0/smart-lock/devices/vdevo153459260090544/password-free/door-operate",
    body: { ticket_id: "xxxxx", open: false },
  },
];

export const remoteUnlockResponses: readonly ResponseExample[] = [
  {
    id: "listRemoteUnlocks",
    line: 1922,
    body: {
      result: { remote_unlock_type: "remoteUnlockWithPwd", open: true },
      success: true,
      t: 1592899848757,
    },
  },
  { id: "setRemoteUnlockConfig", line: 1982, body: { result: true, success: true, t: 1592899848757 } },
  { id: "openDoor", line: 2030, body: { success: true, t: 1542626129429, result: true } },
  { id: "passwordFreeOpenDoor", line: 2487, body: { result: true, success: true, t: 1592899848757 } },
  { id: "passwordFreeOpenDoorV11", line: 2541, body: { result: true, success: true, t: 1592899848757 } },
  { id: "cancelPasswordFreeOpenDoor", line: 2595, body: { result: true, success: true, t: 1592899848757 } },
  { id: "passwordFreeDoorOperate", line: 2657, body: { result: true, success: true, t: 1592899848757 } },
];
