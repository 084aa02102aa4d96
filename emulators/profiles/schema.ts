import { z } from "zod";

/**
 * A device model as data: statuses per `serialId`, the commands and their effect, resources, alarms with
 * thresholds, events and faults. A new model is a new profile file, not new code.
 */
const Command = z
  .strictObject({
    /** The status the command sets. */
    status: z.string().min(1),
    /** Allowed `cmdParam` values... */
    values: z.array(z.string()).min(1).optional(),
    /** ...or a numeric range. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** A fixed value to set, whatever `cmdParam` says (e.g. UNLOCK sets LOCK to "0"). */
    value: z.string().optional(),
    /** An event (2032) to report after the command took effect. */
    event: z.string().min(1).optional(),
  })
  .refine((c) => !(c.values !== undefined && (c.min !== undefined || c.max !== undefined)), {
    message: "give values or min/max, not both",
  });

const Alarm = z.strictObject({
  serialId: z.string().default("0"),
  status: z.string().min(1),
  above: z.number().optional(),
  below: z.number().optional(),
  dscp: z.string(),
});

const Fault = z.strictObject({
  serialId: z.string().default("0"),
  errorCode: z.string().min(1),
  errorInfo: z.string(),
});

export const ProfileSchema = z.strictObject({
  model: z.string().min(1),
  description: z.string().default(""),
  /** `device`: connects itself; `sub-device`: behind a gateway; `gateway`: connects and hosts sub-devices. */
  kind: z.enum(["device", "sub-device", "gateway"]),
  version: z.string().min(1),
  modules: z.array(z.strictObject({ name: z.string().min(1), version: z.string().min(1) })).default([]),
  /** Initial status values: `serials[serialId][statusName] = value`. A multi-gang device has several serials. */
  serials: z.record(z.string(), z.record(z.string(), z.string())),
  commands: z.record(z.string(), Command).default({}),
  /** Initial resources: `resources[serialId][resourceName] = [entries]` (5.4.3.3). */
  resources: z
    .record(z.string(), z.record(z.string(), z.array(z.record(z.string(), z.string()))))
    .default({}),
  /** Resources the platform may manage with 2031, and the field that identifies an entry (e.g. KEY_LIST by KEY_ID). */
  managedResources: z.record(z.string(), z.strictObject({ idField: z.string().min(1) })).default({}),
  alarms: z.array(Alarm).default([]),
  faults: z.record(z.string(), Fault).default({}),
  /** Event names the device may report (2032), beyond those commands raise. */
  events: z.array(z.string()).default([]),
});

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileCommand = z.output<typeof Command>;
