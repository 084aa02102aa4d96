import { z } from "zod";
import { devicePath, Encrypted, fields, none, Text } from "./request.ts";
import { Done, some } from "./result.ts";
import { A, B, entry, K, V, W, Z, ZH } from "./schema.ts";

/** The lock-API catalogue's remote unlocking: its methods and switches, unlocking with and without a password. */

const RemoteUnlockType = z.enum(["remoteUnlockWithoutPwd", "remoteUnlockWithPwd"]);

export const remoteUnlockEndpoints = {
  listRemoteUnlocks: entry({
    id: "listRemoteUnlocks",
    method: "GET",
    path: "/v1.0/devices/{device_id}/door-lock/remote-unlocks",
    description: "Get the remote unlocking methods supported by a lock.",
    listLine: 72,
    seedLine: 1890,
    lockTypes: [Z, B],
    request: { path: devicePath, query: none, body: none },
    response: some({ remote_unlock_type: RemoteUnlockType, open: z.boolean() }),
  }),
  setRemoteUnlockConfig: entry({
    id: "setRemoteUnlockConfig",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/remote-unlock/config",
    description: "Set a switch for a remote unlocking method.",
    listLine: 73,
    seedLine: 1949,
    lockTypes: [W, Z, B],
    request: {
      path: devicePath,
      query: none,
      body: fields({ remote_unlock_type: RemoteUnlockType, open: z.boolean() }),
    },
    response: Done,
  }),
  openDoor: entry({
    id: "openDoor",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/open-door",
    description: "Unlock a door with password.",
    listLine: 74,
    seedLine: 2004,
    lockTypes: [Z],
    request: { path: devicePath, query: none, body: fields(Encrypted) },
    response: Done,
    notes: ["the plain password has 6 digits (seed line 2010)"],
  }),
  passwordFreeOpenDoor: entry({
    id: "passwordFreeOpenDoor",
    method: "POST",
    path: "/v1.0/devices/{device_id}/door-lock/password-free/open-door",
    description: "Unlock a door without password.",
    listLine: 75,
    seedLine: 2459,
    lockTypes: [W, Z, ZH, B, K, V],
    request: { path: devicePath, query: none, body: fields({ ticket_id: Text }) },
    response: Done,
  }),
  passwordFreeOpenDoorV11: entry({
    id: "passwordFreeOpenDoorV11",
    method: "POST",
    path: "/v1.1/devices/{device_id}/door-lock/password-free/open-door",
    description: "Unlock a door without password (v1.1). A certain channel can be specified for unlocking.",
    listLine: 76,
    seedLine: 2511,
    lockTypes: [A],
    request: { path: devicePath, query: none, body: fields({ ticket_id: Text, channel_id: z.int() }) },
    response: Done,
  }),
  cancelPasswordFreeOpenDoor: entry({
    id: "cancelPasswordFreeOpenDoor",
    method: "PUT",
    path: "/v1.0/devices/{device_id}/door-lock/password-free/open-door/cancel",
    description: "Revoke a password-free unlocking.",
    listLine: 77,
    seedLine: 2564,
    lockTypes: [W],
    // 1: reject, 2: cancel.
    request: { path: devicePath, query: none, body: fields({ type: z.literal([1, 2]) }) },
    response: Done,
  }),
  passwordFreeDoorOperate: entry({
    id: "passwordFreeDoorOperate",
    method: "POST",
    path: "/v1.0/smart-lock/devices/{device_id}/password-free/door-operate",
    description: "Remote locking and unlocking without password.",
    listLine: 90,
    seedLine: 2624,
    lockTypes: [W, Z, ZH, B, K, V],
    // `open`: true opens, false closes.
    request: {
      path: devicePath,
      query: none,
      body: fields({ ticket_id: Text, open: z.boolean().optional() }),
    },
    response: Done,
    notes: [
      "needs the DP remote_no_dp_key or remote_no_dp_setkey; only all-in-one Wi-Fi locks (seed line 2620)",
    ],
  }),
} as const;
