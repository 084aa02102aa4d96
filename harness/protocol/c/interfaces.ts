import { z } from "zod";
import {
  AccessToken,
  CmdInfo,
  Code,
  DeviceSN,
  DeviceType,
  EventList,
  GwId,
  OnlineFlag,
  OnlineInt,
  ResourceChangeList,
  ResourceList,
  StatusInfo,
  SubDeviceDetail,
  SubDeviceInfo,
  withToken,
} from "./records.ts";
import { CInteger, CString, RequiredString, SequenceNo } from "./types.ts";

/**
 * Every interface of 7.3: C11-C18 served by the smart-home platform (7.3.1), C21-C31 by the third-party platform
 * (7.3.2). Each is an HTTPS POST of a JSON body to `https://{domain}<path>` (7.1.2); `response` is the answer on
 * success (`code` 0, the interface's result fields required), `failure` any other code (`code`, `desc`).
 */

export type CSide = "smart-home" | "third-party";

const Desc = CString;
const OptionalDesc = CString.optional();

/** A success answer: `code` 0 and the interface's fields. */
const success = <S extends z.ZodRawShape>(shape: S) => z.looseObject({ code: z.literal(0), ...shape });
/** A failure answer: a non-zero `code` and `desc` (required where the interface's table requires it). */
const failure = <D extends z.ZodType>(desc: D) =>
  z.looseObject({ code: Code.refine((c) => c !== 0, "expected a failure code (not 0)"), desc });

/** 7.3.1.1, 7.3.2.1: `expiredAt` is a Long "system timestamp"; the design reads it as milliseconds. */
const ExpiredAt = CInteger.nonnegative();

const tokenAnswer = { desc: Desc, access_token: AccessToken, expiredAt: ExpiredAt } as const;
const device = { ...withToken, deviceSN: DeviceSN } as const;

export const cInterfaces = {
  C11: {
    id: "C11",
    side: "smart-home",
    path: "/notify/token",
    method: "POST",
    description:
      "获取 Token 接口: the third-party platform gets a token of the smart-home platform (7.3.1.1)",
    request: z.looseObject({
      platformId: RequiredString,
      platformKey: RequiredString,
      sequenceNo: SequenceNo,
    }),
    response: success(tokenAnswer),
    failure: failure(Desc),
  },
  C12: {
    id: "C12",
    side: "smart-home",
    path: "/notify/device/unbind",
    method: "POST",
    description: "设备解绑上报接口: a device was unbound (7.3.1.2)",
    request: z.looseObject({ ...device, deviceType: DeviceType }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C13: {
    id: "C13",
    side: "smart-home",
    path: "/notify/device/sub/bind",
    method: "POST",
    description: "子设备绑定上报接口: a sub-device was bound to a gateway (7.3.1.3)",
    request: z.looseObject({ ...device, gwId: GwId, deviceType: DeviceType }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C14: {
    id: "C14",
    side: "smart-home",
    path: "/notify/device/sub/unbind",
    method: "POST",
    description: "子设备解绑上报接口: a sub-device was unbound (7.3.1.4)",
    request: z.looseObject({ ...device, gwId: GwId, deviceType: DeviceType }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C15: {
    id: "C15",
    side: "smart-home",
    path: "/notify/device/online",
    method: "POST",
    description: "设备在线状态上报接口: a device or sub-device went online or offline (7.3.1.5)",
    request: z.looseObject({ ...device, deviceType: DeviceType, online: OnlineFlag }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C16: {
    id: "C16",
    side: "smart-home",
    path: "/notify/device/status",
    method: "POST",
    description: "设备状态/资源上报接口: statuses changed, or the resources on connecting (7.3.1.6)",
    request: z.looseObject({
      ...device,
      deviceType: DeviceType,
      status: z.array(StatusInfo),
      resource: z.array(ResourceList).optional(),
    }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C17: {
    id: "C17",
    side: "smart-home",
    path: "/notify/device/resource",
    method: "POST",
    description: "设备资源变化上报接口: resources were added, changed or deleted (7.3.1.7)",
    request: z.looseObject({ ...device, deviceType: DeviceType, resource: z.array(ResourceChangeList) }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C18: {
    id: "C18",
    side: "smart-home",
    path: "/notify/device/event",
    method: "POST",
    description: "设备信息上报接口: a device or sub-device reports events (7.3.1.8)",
    request: z.looseObject({ ...device, deviceType: DeviceType, event: z.array(EventList) }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C21: {
    id: "C21",
    side: "third-party",
    path: "/token",
    method: "POST",
    description:
      "获取 Token 接口: the smart-home platform gets a token of the third-party platform (7.3.2.1)",
    request: z.looseObject({ cloudId: RequiredString, cloudKey: RequiredString, sequenceNo: SequenceNo }),
    response: success(tokenAnswer),
    failure: failure(Desc),
  },
  C22: {
    id: "C22",
    side: "third-party",
    path: "/device/bind",
    method: "POST",
    description: "绑定设备接口: bind a device (a gateway, say) on the third-party platform (7.3.2.2)",
    request: z.looseObject({
      ...device,
      bindKey: RequiredString.optional(),
      deviceType: DeviceType.optional(),
    }),
    response: success({ desc: Desc, deviceSN: DeviceSN, deviceType: DeviceType, sequenceNo: SequenceNo }),
    failure: failure(Desc),
  },
  C23: {
    id: "C23",
    side: "third-party",
    path: "/device/unbind",
    method: "POST",
    description: "解绑设备接口: unbind a device (7.3.2.3)",
    request: z.looseObject({ ...device, deviceType: DeviceType.optional() }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C24: {
    id: "C24",
    side: "third-party",
    path: "/device/sub/bind",
    method: "POST",
    description: "绑定子设备接口: bind a sub-device joining a gateway (7.3.2.4)",
    request: z.looseObject({ ...device, gwId: GwId, deviceType: DeviceType.optional() }),
    response: success({ desc: Desc }),
    failure: failure(Desc),
  },
  C25: {
    id: "C25",
    side: "third-party",
    path: "/device/sub/unbind",
    method: "POST",
    description: "解绑子设备接口: unbind a sub-device (7.3.2.5)",
    request: z.looseObject({ ...device, gwId: GwId, deviceType: DeviceType.optional() }),
    response: success({ desc: OptionalDesc }),
    failure: failure(OptionalDesc),
  },
  C26: {
    id: "C26",
    side: "third-party",
    path: "/device/online/get",
    method: "POST",
    description: "设备在线状态查询: is one device online (7.3.2.6)",
    request: z.looseObject({ ...device, deviceType: DeviceType.optional() }),
    response: success({ desc: Desc, online: OnlineInt }),
    failure: failure(Desc),
  },
  C27: {
    id: "C27",
    side: "third-party",
    path: "/device/status/get",
    method: "POST",
    description: "设备状态/资源查询: one device's full status and resources (7.3.2.7)",
    request: z.looseObject({ ...device, deviceType: DeviceType.optional() }),
    response: success({
      desc: Desc,
      status: z.array(StatusInfo),
      resource: z.array(ResourceList).optional(),
    }),
    failure: failure(Desc),
  },
  C28: {
    id: "C28",
    side: "third-party",
    path: "/device/control",
    method: "POST",
    description: "设备控制操作请求: control one device (7.3.2.8)",
    request: z.looseObject({
      ...device,
      deviceType: DeviceType.optional(),
      serialId: StatusInfo.shape.serialId,
      // A control with no command controls nothing: hilfarm refuses an empty `cmds`.
      cmds: z.array(CmdInfo).min(1, "expected at least one command"),
    }),
    response: success({ desc: Desc, result: z.array(StatusInfo).optional() }),
    failure: failure(Desc),
  },
  C29: {
    id: "C29",
    side: "third-party",
    path: "/gateway/subList",
    method: "POST",
    description: "应用网关子设备查询接口: the sub-devices of an application gateway (7.3.2.10)",
    request: z.looseObject({ ...withToken, gwId: GwId }),
    response: success({
      desc: Desc,
      gwId: GwId,
      deviceType: DeviceType,
      online: OnlineInt,
      devices: z.array(SubDeviceInfo),
    }),
    failure: failure(Desc),
  },
  C30: {
    id: "C30",
    side: "third-party",
    path: "/gateway/subDetailList",
    method: "POST",
    description:
      "设备及子设备状态/资源查询接口: a gateway's and its sub-devices' statuses and resources (7.3.2.11)",
    request: z.looseObject({ ...withToken, gwId: GwId }),
    response: success({
      desc: Desc,
      gwId: GwId,
      deviceType: DeviceType,
      // 7.3.2.11 types the gateway's `status` StatusInfo and describes it as a list: both are accepted.
      status: z.union([z.array(StatusInfo), StatusInfo]),
      resource: z.array(ResourceList).optional(),
      devices: z.array(SubDeviceDetail),
    }),
    failure: failure(Desc),
  },
  C31: {
    id: "C31",
    side: "third-party",
    path: "/device/resManage",
    method: "POST",
    description: "设备资源管理请求: add, change or delete a device's resources (7.3.2.9)",
    request: z.looseObject({
      ...device,
      deviceType: DeviceType.optional(),
      resource: z.array(ResourceChangeList).optional(),
    }),
    response: success({ desc: Desc }),
    failure: failure(Desc),
  },
} as const;

export type CInterfaces = typeof cInterfaces;
export type CInterfaceId = keyof CInterfaces;
export const cInterfaceIds = Object.keys(cInterfaces) as CInterfaceId[];

export type CRequest<Id extends CInterfaceId = CInterfaceId> = z.infer<CInterfaces[Id]["request"]>;
/** A success answer (`code` 0). */
export type CSuccess<Id extends CInterfaceId = CInterfaceId> = z.infer<CInterfaces[Id]["response"]>;
/** A failure answer (`code` not 0). */
export type CFailure<Id extends CInterfaceId = CInterfaceId> = z.infer<CInterfaces[Id]["failure"]>;
export type CResponse<Id extends CInterfaceId = CInterfaceId> = CSuccess<Id> | CFailure<Id>;

const byPath = new Map<string, CInterfaceId>(cInterfaceIds.map((id) => [cInterfaces[id].path, id]));

/** The interface served at `path` (`/device/control` -> `C28`), or `undefined`. */
export function cInterfaceAt(path: string): CInterfaceId | undefined {
  return byPath.get(path);
}

export function isCInterfaceId(id: unknown): id is CInterfaceId {
  return typeof id === "string" && Object.hasOwn(cInterfaces, id);
}
