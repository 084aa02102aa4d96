import { z } from "zod";
import { CInteger, CString, RequiredString, SequenceNo } from "./types.ts";

/**
 * The field types and nested records of 7.3 that several interfaces share. Records are loose objects, as Mc bodies:
 * a field the spec does not name is kept, so a round trip never loses what a peer sent.
 */

export const AccessToken = RequiredString;
/** 7.3: `deviceSN`, the device's original SN. */
export const DeviceSN = RequiredString;
/** 7.3: `deviceType`, the product model id the third-party platform assigns. */
export const DeviceType = RequiredString;
/** 7.3: `gwId`, the application gateway's id. */
export const GwId = RequiredString;
/** 7.3: `serialId`, the line of a multi-line device (1, 2, 3, ...); 0 for a single-line device or all lines. */
export const SerialId = z.string().regex(/^(0|[1-9]\d{0,8})$/, "expected a line number as a decimal string");
/** 7.3.1.5: `online` in a request is a String, "1" online, "0" offline. */
export const OnlineFlag = z.enum(["0", "1"]);
/** 7.3.2.6, 7.3.2.10: `online` in a response is an Int, 0 offline, 1 online. */
export const OnlineInt = z.union([z.literal(0), z.literal(1)]);
/** 7.3: `code`, 0 success, anything else a failure (7.3.1.9 lists the known ones). */
export const Code = CInteger;

/** StatusInfo (7.3.1.6, 7.3.2.7, 7.3.2.8, 7.3.2.11). */
export const StatusInfo = z.looseObject({ serialId: SerialId, name: RequiredString, value: CString });

/** ResDetail (7.3.1.6, 7.3.2.7): `key1`, `key2`, ...: the keys depend on the resource, every value a String. */
export const ResDetail = z.record(z.string(), CString);
/** ResDetail of a change (7.3.1.7, 7.3.2.9): `mode` 1 add, 2 modify, 3 delete, and the resource's keys. */
export const ResChange = z.object({ mode: z.enum(["1", "2", "3"]) }).catchall(CString);

/** ResourceList (7.3.1.6, 7.3.2.7, 7.3.2.11). */
export const ResourceList = z.looseObject({
  serialId: SerialId,
  resName: RequiredString,
  resInfo: z.array(ResDetail),
});
/** ResourceList of a change (7.3.1.7, 7.3.2.9). */
export const ResourceChangeList = z.looseObject({
  serialId: SerialId,
  resName: RequiredString,
  resInfo: z.array(ResChange),
});

/** EventDetail (7.3.1.8): the keys depend on the event type, every value a String. */
export const EventDetail = z.record(z.string(), CString);
/**
 * EventList (7.3.1.8; its table is headed "ResourceInfo 定义"). `eventId` is required when one report carries
 * several events; with one it may be left out.
 */
export const EventList = z.looseObject({
  eventId: RequiredString.optional(),
  serialId: SerialId,
  eventName: RequiredString,
  eventInfo: z.array(EventDetail),
});

/** CmdInfo (7.3.2.8). */
export const CmdInfo = z.looseObject({ name: RequiredString, value: RequiredString });

/** DeviceInfo of 7.3.2.10 (the sub-device list). */
export const SubDeviceInfo = z.looseObject({ deviceSN: DeviceSN, deviceType: DeviceType, online: OnlineInt });
/** DeviceInfo of 7.3.2.11 (sub-devices with their statuses and resources). */
export const SubDeviceDetail = z.looseObject({
  deviceSN: DeviceSN,
  deviceType: DeviceType,
  status: z.array(StatusInfo),
  resource: z.array(ResourceList).optional(),
});

/** The fields every request body starts with (7.3.1.2-7.3.2.11; C11 and C21 carry credentials instead). */
export const withToken = { access_token: AccessToken, sequenceNo: SequenceNo } as const;

/**
 * The response envelope: `code` always, `desc` required or optional as each interface's table marks it. The result
 * fields an interface adds are required on success (`code` 0); a failure carries `code` and `desc` only (hilfarm's
 * reading: a peer that refuses a request has no token, status or list to give).
 */
export const envelope = (descRequired: boolean) =>
  ({ code: Code, desc: descRequired ? CString : CString.optional() }) as const;
