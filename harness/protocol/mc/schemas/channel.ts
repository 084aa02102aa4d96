import { z } from "zod";
import { DeviceId, ResultCode, responseFields, Sequence, UnixTime, Version } from "./common.ts";

/** 5.4.2.3 */
export const HeartbeatRequest = z.looseObject({
  sequence: Sequence,
  token: z.string().min(1),
  time: UnixTime,
});
export const HeartbeatResponse = z.looseObject({ ...responseFields, time: UnixTime });

/** 5.4.2.1: encrypted with the PIN. */
export const LoginRequest = z.looseObject({
  sequence: Sequence,
  deviceId: DeviceId,
  version: Version,
  time: UnixTime,
});
export const LoginResponse = z.looseObject({
  result: ResultCode,
  sequence: Sequence,
  sessionKey: z.string().min(1),
  tcpHost: z.string().min(1),
  udpHost: z.string().min(1),
  token: z.string().min(1),
  time: UnixTime,
});

/** 5.4.2.2: `heartBeat` (s, default 30) and `authInterval` (s, default 600) are optional. */
export const ConnectRequest = z.looseObject({
  sequence: Sequence,
  token: z.string().min(1),
  devVersion: Version,
  model: z.string().min(1),
  time: UnixTime,
});
export const ConnectResponse = z.looseObject({
  ...responseFields,
  heartBeat: z.number().int().positive().optional(),
  authInterval: z.number().int().positive().optional(),
  time: UnixTime,
});
