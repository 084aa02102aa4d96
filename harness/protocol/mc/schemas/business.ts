import { z } from "zod";
import {
  DeviceId,
  DeviceResponse,
  Flag,
  ResourceSerials,
  responseFields,
  Sequence,
  SerialId,
  StatusSerials,
  StringRecord,
  SubDeviceRequest,
  SubDeviceResponse,
  UnixTime,
  Version,
} from "./common.ts";

const request = { sequence: Sequence, deviceId: DeviceId } as const;

/**
 * 2001 has no body in the spec (docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)"): `asc` maps a status to "0"
 * (no access) or "1" (read-only).
 */
export const AttributeConstraintRequest = z.looseObject({
  ...request,
  asc: z.record(z.string(), Flag),
  time: UnixTime,
});
export const AttributeConstraintResponse = DeviceResponse;

/** 5.4.3.1 */
export const StatusQueryRequest = z.looseObject({ ...request, time: UnixTime });
export const StatusQueryResponse = DeviceResponse;

/** 5.4.3.2: `dscp` is required but may be empty. */
export const ControlRequest = z.looseObject({
  ...request,
  serialId: SerialId,
  cmd: z.array(z.looseObject({ cmdName: z.string().min(1), cmdParam: z.string() })).min(1),
  time: UnixTime,
});
export const ControlResponse = z.looseObject({
  ...responseFields,
  dscp: z.string(),
  deviceId: DeviceId,
  time: UnixTime,
});

/** 5.4.3.3: state, and optionally resources, in one report. */
export const StatusReportRequest = z.looseObject({
  ...request,
  statusSerials: StatusSerials,
  resourceSerials: ResourceSerials.optional(),
  time: UnixTime,
});
export const StatusReportResponse = DeviceResponse;

/** 5.4.3.7 */
export const AlarmRequest = z.looseObject({
  ...request,
  alarm: z.looseObject({
    serialId: SerialId,
    statusName: z.string().min(1),
    curStatusValue: z.string(),
    dscp: z.string(),
    alarmTime: UnixTime,
  }),
  time: UnixTime,
});
export const AlarmResponse = DeviceResponse;

/** 5.4.3.8 */
export const FaultRequest = z.looseObject({
  ...request,
  error: z.looseObject({
    serialId: SerialId,
    errorCode: z.string().min(1),
    errorInfo: z.string(),
    errorTime: UnixTime,
  }),
  time: UnixTime,
});
export const FaultResponse = DeviceResponse;

/** 5.4.3.9: `pin` is the sub-device's PIN (a secret: redacted in logs). `authResult` "0" passed, "1" refused. */
export const SubDeviceAuthRequest = z.looseObject({
  ...request,
  subDeviceId: DeviceId,
  pin: z.string().min(1),
  time: UnixTime,
});
export const SubDeviceAuthResponse = z.looseObject({
  ...responseFields,
  deviceId: DeviceId,
  subDeviceId: DeviceId,
  authResult: Flag,
  time: UnixTime,
});

/** 5.4.3.10 (platform unbinds), 5.4.3.11 (bind report, "not in use" in the spec), 5.4.3.12 (gateway unbind report). */
export const SubDeviceUnbindRequest = SubDeviceRequest;
export const SubDeviceUnbindResponse = SubDeviceResponse;
export const SubDeviceBindReportRequest = SubDeviceRequest;
export const SubDeviceBindReportResponse = SubDeviceResponse;
export const SubDeviceUnbindReportRequest = SubDeviceRequest;
export const SubDeviceUnbindReportResponse = SubDeviceResponse;

/** 5.4.3.13: `onLine` "1" online, "0" offline. */
export const SubDeviceOnlineReportRequest = z.looseObject({
  ...request,
  subDeviceId: DeviceId,
  onLine: Flag,
  time: UnixTime,
});
export const SubDeviceOnlineReportResponse = SubDeviceResponse;

/** 5.4.3.14 */
export const VersionReportRequest = z.looseObject({
  ...request,
  model: z.string().min(1),
  device: z.looseObject({ version: Version }),
  modules: z.array(z.looseObject({ name: z.string().min(1), version: Version })).optional(),
  time: UnixTime,
});
export const VersionReportResponse = DeviceResponse;

const firmwareFile = { version: Version, url: z.string().min(1), md5: z.string().min(1) } as const;

/**
 * 5.4.3.15; docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)": one of `device` or `modules` per notice, never
 * both.
 */
export const UpgradeNoticeRequest = z
  .looseObject({
    ...request,
    device: z.looseObject(firmwareFile).optional(),
    modules: z
      .array(z.looseObject({ name: z.string().min(1), ...firmwareFile }))
      .min(1)
      .optional(),
    time: UnixTime,
  })
  .refine((body) => (body.device === undefined) !== (body.modules === undefined), {
    message: "exactly one of device or modules must be present",
    path: ["device"],
  });
export const UpgradeNoticeResponse = DeviceResponse;

/** 5.4.3.16: `type` "0" device, "1" module (then `moduleName` is required); `status` "0" success, "1" failure. */
export const UpgradeResultRequest = z
  .looseObject({
    ...request,
    type: Flag,
    moduleName: z.string().optional(),
    status: Flag,
    version: Version,
    time: UnixTime,
  })
  .refine((body) => body.type === "0" || (body.moduleName !== undefined && body.moduleName !== ""), {
    message: 'moduleName is required when type is "1"',
    path: ["moduleName"],
  });
export const UpgradeResultResponse = DeviceResponse;

/** 5.4.3.5 */
export const ResourceChangeReportRequest = z.looseObject({
  ...request,
  resourceSerials: ResourceSerials,
  time: UnixTime,
});
export const ResourceChangeReportResponse = DeviceResponse;

/** 5.4.3.4: `MODE` in a `resourceInfo` entry is "1" add, "2" modify, "3" delete. */
export const ResourceManagementRequest = z.looseObject({
  ...request,
  resourceSerials: ResourceSerials,
  time: UnixTime,
});
export const ResourceManagementResponse = DeviceResponse;

/** 5.4.3.6: `event`, `eventId`, `eventName` and `eventInfo` are optional in the spec's table. */
export const EventReportRequest = z.looseObject({
  ...request,
  event: z
    .array(
      z.looseObject({
        eventId: z.string().optional(),
        serialId: SerialId,
        eventName: z.string().optional(),
        eventInfo: z.array(StringRecord).optional(),
      }),
    )
    .optional(),
  time: UnixTime,
});
export const EventReportResponse = DeviceResponse;
