import { z } from "zod";
import { MAX_SEQUENCE } from "../sequence.ts";

/**
 * Field types shared by every Mc body (5.4.3; docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)"): `code`,
 * `result` and `time` are numbers; `sequence` is a decimal string 0..65535; status values and command parameters
 * are strings.
 * Bodies are loose objects: a field the spec does not name is kept, not dropped, so a round trip
 * through hilfarm never loses what a device sent.
 */
export const Sequence = z
  .string()
  .regex(/^\d{1,5}$/, "expected a decimal string")
  .refine((s) => Number(s) <= MAX_SEQUENCE, "expected a sequence in 0..65535");

/** A Linux timestamp in seconds. */
export const UnixTime = z.number().int().nonnegative();
export const ResultCode = z.number().int().nonnegative();
export const DeviceId = z.string().min(1);
/** "0" or "1", as the spec's string flags (`onLine`, `authResult`, `isLast`, `status`, `type`). */
export const Flag = z.enum(["0", "1"]);
/** `XXX.YYY.ZZZ.MMM`; devices differ in spacing, so any non-empty string is accepted. */
export const Version = z.string().min(1);
export const SerialId = z.string();
/** A record of string values, as `resourceInfo` and `eventInfo` entries (their keys depend on the device). */
export const StringRecord = z.record(z.string(), z.string());

/** Fields every response body carries. */
export const responseFields = { result: ResultCode, sequence: Sequence } as const;

export const StatusSerials = z.array(
  z.looseObject({
    serialId: SerialId,
    statusSerial: z.array(z.looseObject({ statusName: z.string().min(1), curStatusValue: z.string() })),
  }),
);

export const ResourceSerials = z.array(
  z.looseObject({
    serialId: SerialId,
    resourceSerial: z.array(
      z.looseObject({ resourceName: z.string().min(1), resourceInfo: z.array(StringRecord) }),
    ),
  }),
);

/** The response shape most business messages share: `{result, sequence, deviceId, time}`. */
export const DeviceResponse = z.looseObject({ ...responseFields, deviceId: DeviceId, time: UnixTime });

/** The sub-device request/response shapes of 5.4.3.10-13. */
export const SubDeviceRequest = z.looseObject({
  sequence: Sequence,
  deviceId: DeviceId,
  subDeviceId: DeviceId,
  time: UnixTime,
});
export const SubDeviceResponse = z.looseObject({
  ...responseFields,
  deviceId: DeviceId,
  subDeviceId: DeviceId,
  time: UnixTime,
});
