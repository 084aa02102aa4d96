import { z } from "zod";
import { isAttributeKey, isLanNumber, knownValues, own } from "../device/lan/lan-attributes.ts";
import { KeypadSchema } from "./keypad-schema.ts";

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

/** One LAN attribute (6.2.3 `as`): the status it names, who may read and write it, how its value travels. */
const LanAttribute = z.strictObject({
  serialId: z.string().default("0"),
  status: z.string().min(1),
  /** "read-only" and "none" are listed in `asc` with 1 and 0; a status no command sets is read-only anyway. */
  access: z.enum(["read-write", "read-only", "none"]).default("read-write"),
  /** A JSON number or string in `as`; absent: "number" when every value the status takes is an integer. */
  type: z.enum(["number", "string"]).optional(),
});

/**
 * The device's side of Md (chapter 6). Without `attributes`, the statuses of each serial are numbered in order
 * (serials by number, statuses as listed in `serials`), from 1. A sub-device has no LAN side of its own (its
 * gateway answers on the LAN), so a `lan` section there is refused rather than silently ignored.
 */
const Lan = z.strictObject({
  /** `lanControl` once authorised: true 1 (supported), false 2 (not supported) (6.2.1). */
  control: z.boolean().default(true),
  /** Attribute number ("1".."65535") -> the status it names. */
  attributes: z.record(z.string(), LanAttribute).optional(),
});

const ProfileFields = z.strictObject({
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
  lan: Lan.optional(),
  /** A lock's keypad: codes typed at the lock, judged against the entries of a managed resource. */
  keypad: KeypadSchema.optional(),
});

export const ProfileSchema = ProfileFields.superRefine((profile, ctx) => {
  checkLan(profile, ctx);
  checkKeypad(profile, ctx);
});

type Issue = { path: PropertyKey[]; message: string; input: unknown };

/** The checks of `lan` that span fields; each issue names the field and the value. */
function checkLan(profile: z.output<typeof ProfileFields>, ctx: z.RefinementCtx<unknown>): void {
  const issue = ({ path, message, input }: Issue) => ctx.addIssue({ code: "custom", path, message, input });
  if (profile.lan === undefined) return;
  if (profile.kind === "sub-device") {
    issue({ path: ["lan"], message: "a sub-device has no LAN side of its own", input: profile.lan });
    return;
  }
  const named = new Map<string, string>();
  for (const [key, attribute] of Object.entries(profile.lan.attributes ?? {})) {
    const at = ["lan", "attributes", key];
    if (!isAttributeKey(key)) {
      issue({ path: at, message: "an attribute number is 1..65535 in decimal", input: key });
      continue;
    }
    const serial = own(profile.serials, attribute.serialId);
    if (serial === undefined) {
      issue({ path: [...at, "serialId"], message: "no such serial", input: attribute.serialId });
      continue;
    }
    if (!Object.hasOwn(serial, attribute.status)) {
      issue({
        path: [...at, "status"],
        message: `serial ${JSON.stringify(attribute.serialId)} has no such status`,
        input: attribute.status,
      });
      continue;
    }
    const id = `${attribute.serialId}/${attribute.status}`;
    const first = named.get(id);
    if (first !== undefined)
      issue({
        path: [...at, "status"],
        message: `attribute ${first} names the same status`,
        input: attribute.status,
      });
    else named.set(id, key);
    if (attribute.type === "number") {
      const text = knownValues(profile, attribute.serialId, attribute.status).find((v) => !isLanNumber(v));
      if (text !== undefined)
        issue({
          path: [...at, "type"],
          message: `${attribute.status} may be ${JSON.stringify(text)}, not a number`,
          input: attribute.type,
        });
    }
  }
}

/** A keypad's keys are a resource the platform manages, and a valid code has a command's effect. */
function checkKeypad(profile: z.output<typeof ProfileFields>, ctx: z.RefinementCtx<unknown>): void {
  const { keypad } = profile;
  if (keypad === undefined) return;
  const issue = (path: PropertyKey[], message: string, input: unknown) =>
    ctx.addIssue({ code: "custom", path, message, input });
  if (own(profile.managedResources, keypad.resource) === undefined)
    issue(["keypad", "resource"], "not a managed resource (managedResources)", keypad.resource);
  if (own(profile.commands, keypad.openCommand) === undefined)
    issue(["keypad", "openCommand"], "no such command", keypad.openCommand);
  for (const field of ["openEvent", "hijackEvent", "wrongCodeEvent"] as const)
    if (
      !profile.events.includes(keypad[field]) &&
      keypad[field] !== own(profile.commands, keypad.openCommand)?.event
    )
      issue(["keypad", field], "not among the profile's events", keypad[field]);
}

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileCommand = z.output<typeof Command>;
