import { fail, ok, type Result, showValue, UsageError, WireError } from "../../../harness/errors.ts";
import { type MdResultCode, mdResultCodes } from "../../../harness/protocol/md/result-codes.ts";
import type { UpgradeOutcome } from "../upgrade.ts";

/**
 * Md (chapter 6) names a device's state by attribute numbers (`as: {"1": 2}`); Mc names the same state by
 * `serialId` and status name. One state, two names: this module maps between them, as a profile declares (its
 * `lan.attributes`) or, without one, by a default numbering. Pure: no sockets, no clock.
 */

export type LanAccess = "read-write" | "read-only" | "none";
/** How a value travels in `as`: a JSON number or a JSON string (statuses are strings on Mc). */
export type LanType = "number" | "string";

export interface LanAttributeSpec {
  serialId: string;
  status: string;
  access: LanAccess;
  /** Absent: "number" when every value the status can take is an integer, else "string". */
  type?: LanType | undefined;
}

export interface LanCommandSpec {
  status: string;
  values?: readonly string[] | undefined;
  min?: number | undefined;
  max?: number | undefined;
  value?: string | undefined;
}

/** What the LAN side reads of a profile; a parsed `Profile` is one. */
export interface LanProfile {
  model: string;
  kind: "device" | "sub-device" | "gateway";
  serials: Readonly<Record<string, Readonly<Record<string, string>>>>;
  commands: Readonly<Record<string, LanCommandSpec>>;
  faults: Readonly<Record<string, unknown>>;
  lan?: { control: boolean; attributes?: Readonly<Record<string, LanAttributeSpec>> | undefined } | undefined;
}

/** Statuses as a device holds them: `statuses[serialId][statusName] = value`. */
export type StatusesBySerial = Readonly<Record<string, Readonly<Record<string, string>>>>;
/** Constraints the platform set with 2001, by status name: "0" no access, "1" read-only. */
export type StatusConstraints = Readonly<Record<string, "0" | "1">>;

/** 6.2.3: attribute number -> value. */
export type LanAs = Record<string, number | string>;
/** 6.2.3: attribute number -> constraint, 0 no read/write, 1 read-only; absent: read-write. */
export type LanAsc = Record<string, 0 | 1>;

export interface LanAttribute {
  readonly number: number;
  readonly serialId: string;
  readonly status: string;
  /** As declared, lowered to read-only when no command sets the status. */
  readonly access: LanAccess;
  readonly type: LanType;
  /** The profile's commands that set this status; a value is allowed if one of them allows it. */
  readonly commands: readonly LanCommandSpec[];
}

export interface LanChange {
  attribute: number;
  serialId: string;
  status: string;
  value: string;
}

export type LanAttributeErrorCode =
  /** `as` is not an object, or is empty (6.2.6: "a required parameter empty"). */
  | "BAD_AS"
  /** A key that is not an attribute number 1..65535. */
  | "BAD_ATTRIBUTE"
  /** A well-formed number the device has no attribute for. */
  | "UNKNOWN_ATTRIBUTE"
  /** Read-only, no access, or no command sets it. */
  | "NOT_WRITABLE"
  | "BAD_TYPE"
  /** Not one of the command's values, or outside its range. */
  | "OUT_OF_RANGE";

/**
 * The 6.2.6 result each error answers with. A malformed request (not an object, a key that is no attribute
 * number, a value of the wrong type or outside what the profile allows) is 100001, "bad parameters"; an attribute
 * the device does not have, or may not be written, is 300002, "the device does not support this command": the
 * request is well-formed, the device declines it (as 2005 answers a constrained status on Mc, 5.4.4).
 */
export const lanAttributeResultCodes: Readonly<Record<LanAttributeErrorCode, MdResultCode>> = {
  BAD_AS: mdResultCodes.badParameters,
  BAD_ATTRIBUTE: mdResultCodes.badParameters,
  UNKNOWN_ATTRIBUTE: mdResultCodes.unsupported,
  NOT_WRITABLE: mdResultCodes.unsupported,
  BAD_TYPE: mdResultCodes.badParameters,
  OUT_OF_RANGE: mdResultCodes.badParameters,
};

export class LanAttributeError extends WireError<LanAttributeErrorCode> {
  /** The attribute number as sent (the key of `as`), when one attribute is to blame. */
  readonly attribute: string | undefined;
  readonly value: unknown;
  readonly resultCode: MdResultCode;
  constructor(code: LanAttributeErrorCode, message: string, attribute?: string, value?: unknown) {
    super(code, message, attribute === undefined ? "as" : `as.${attribute}`);
    this.attribute = attribute;
    this.value = value;
    this.resultCode = lanAttributeResultCodes[code];
  }
}

/** A record's own entry (a status named "constructor" is not one of `{}`'s). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A number as JSON writes it and reads it back unchanged ("26", "-3", "0.5"; not "026", "-0", "1e21"). */
export function isLanNumber(value: string): boolean {
  return value !== "" && String(Number(value)) === value && Number.isFinite(Number(value));
}

function isLanInteger(value: string): boolean {
  return isLanNumber(value) && Number.isSafeInteger(Number(value));
}

/** The commands of a profile that set a status (a command sets its status on whichever serial has it). */
export function commandsSetting(profile: LanProfile, status: string): LanCommandSpec[] {
  return Object.values(profile.commands).filter((command) => command.status === status);
}

/** Every value a status is known to take: its initial value, and the values and fixed values of its commands. */
export function knownValues(profile: LanProfile, serialId: string, status: string): string[] {
  const known = new Set<string>();
  const initial = own(own(profile.serials, serialId), status);
  if (initial !== undefined) known.add(initial);
  for (const command of commandsSetting(profile, status)) {
    for (const value of command.values ?? []) known.add(value);
    if (command.value !== undefined) known.add(command.value);
  }
  return [...known];
}

/** "number" when every known value and every bound of the status is an integer, else "string". */
export function defaultLanType(profile: LanProfile, serialId: string, status: string): LanType {
  const bounds = commandsSetting(profile, status).flatMap((c) => [c.min, c.max]);
  const integers =
    knownValues(profile, serialId, status).every(isLanInteger) &&
    bounds.every((bound) => bound === undefined || Number.isSafeInteger(bound));
  return integers ? "number" : "string";
}

/** Serials in numeric order ("2" before "10"); a serial that is not a number sorts after, by name. */
function sortedSerials(serials: Readonly<Record<string, unknown>>): string[] {
  const rank = (id: string): number => (isLanInteger(id) ? Number(id) : Number.POSITIVE_INFINITY);
  return Object.keys(serials).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The map of a profile without `lan.attributes`: the statuses of each serial numbered in order (serials by
 * number, statuses as the profile lists them), from 1, every one read-write as declared.
 */
export function defaultLanAttributes(profile: LanProfile): Record<string, LanAttributeSpec> {
  const out: Record<string, LanAttributeSpec> = {};
  let next = 1;
  for (const serialId of sortedSerials(profile.serials))
    for (const status of Object.keys(own(profile.serials, serialId) ?? {}))
      out[String(next++)] = { serialId, status, access: "read-write" };
  return out;
}

const stricter = (a: LanAccess, b: LanAccess): LanAccess =>
  a === "none" || b === "none" ? "none" : a === "read-only" || b === "read-only" ? "read-only" : "read-write";

const ATTRIBUTE_KEY = /^[1-9][0-9]{0,4}$/;

/** Whether an `as` key is an attribute number, 1..65535 in decimal without leading zeros. */
export function isAttributeKey(key: string): boolean {
  return ATTRIBUTE_KEY.test(key) && Number(key) <= 65535;
}

/** A device's attributes on the LAN, built from its profile. */
export class LanAttributeMap {
  /** `lanControl` 1 (true) or 2 (false) once authorised (6.2.1). */
  readonly control: boolean;
  /** By attribute number, ascending. */
  readonly attributes: readonly LanAttribute[];
  private readonly faultNumbers: ReadonlyMap<string, number>;
  private readonly byKey: ReadonlyMap<string, LanAttribute>;

  private constructor(control: boolean, attributes: LanAttribute[], faults: string[]) {
    this.control = control;
    this.attributes = attributes.sort((a, b) => a.number - b.number);
    this.byKey = new Map(this.attributes.map((a) => [String(a.number), a]));
    this.faultNumbers = new Map(faults.map((name, i) => [name, i + 1]));
  }

  /** Throws a `UsageError` for a sub-device: its gateway answers on the LAN, it has no LAN side of its own. */
  static of(profile: LanProfile): LanAttributeMap {
    if (profile.kind === "sub-device")
      throw new UsageError("kind", `${profile.model}: a sub-device has no LAN attributes of its own`);
    const specs = profile.lan?.attributes ?? defaultLanAttributes(profile);
    const attributes = Object.entries(specs).map(([key, spec]): LanAttribute => {
      const commands = commandsSetting(profile, spec.status);
      return {
        number: Number(key),
        serialId: spec.serialId,
        status: spec.status,
        access: commands.length === 0 ? stricter(spec.access, "read-only") : spec.access,
        type: spec.type ?? defaultLanType(profile, spec.serialId, spec.status),
        commands,
      };
    });
    return new LanAttributeMap(profile.lan?.control ?? true, attributes, Object.keys(profile.faults));
  }

  attribute(key: string | number): LanAttribute | undefined {
    return this.byKey.get(String(key));
  }

  /** The attribute number of a status, if it is on the LAN. */
  numberOf(serialId: string, status: string): number | undefined {
    return this.attributes.find((a) => a.serialId === serialId && a.status === status)?.number;
  }

  /** An attribute's access with the platform's 2001 constraints on top (the stricter wins). */
  accessOf(attribute: LanAttribute, constraints: StatusConstraints = {}): LanAccess {
    const constraint = own(constraints, attribute.status);
    return constraint === undefined
      ? attribute.access
      : stricter(attribute.access, constraint === "0" ? "none" : "read-only");
  }

  /**
   * 6.2.3: the `as` and `asc` of a query answer. A no-access attribute is left out of `as` and listed in `asc`
   * with 0; a read-only one is in both, with 1. A "number" attribute whose status holds no number (set so at run
   * time) travels as its string rather than as `null`.
   */
  toAs(statuses: StatusesBySerial, constraints: StatusConstraints = {}): { as: LanAs; asc: LanAsc } {
    const as: LanAs = {};
    const asc: LanAsc = {};
    for (const attribute of this.attributes) {
      const key = String(attribute.number);
      const access = this.accessOf(attribute, constraints);
      if (access !== "read-write") asc[key] = access === "none" ? 0 : 1;
      const value = own(own(statuses, attribute.serialId), attribute.status);
      if (access !== "none" && value !== undefined) as[key] = typed(attribute, value);
    }
    return { as, asc };
  }

  /**
   * 6.2.4: the status changes an `opt` asks for, all checked before any is applied (as a 2005 is, 5.4.3.2); the
   * first problem found is the answer. Total: any JSON value gives changes or an error, never an exception.
   */
  fromOpt(as: unknown, constraints: StatusConstraints = {}): Result<LanChange[], LanAttributeError> {
    if (typeof as !== "object" || as === null || Array.isArray(as))
      return fail(new LanAttributeError("BAD_AS", `as: not an object (got ${showValue(as)})`, undefined, as));
    const entries = Object.entries(as as Record<string, unknown>);
    if (entries.length === 0) return fail(new LanAttributeError("BAD_AS", "as: empty", undefined, as));
    const changes: LanChange[] = [];
    for (const [key, value] of entries) {
      const refuse = (code: LanAttributeErrorCode, why: string) =>
        fail(new LanAttributeError(code, `as.${key}: ${why} (got ${showValue(value)})`, key, value));
      if (!isAttributeKey(key)) return refuse("BAD_ATTRIBUTE", "not an attribute number 1..65535");
      const attribute = this.byKey.get(key);
      if (attribute === undefined) return refuse("UNKNOWN_ATTRIBUTE", "no such attribute");
      const access = this.accessOf(attribute, constraints);
      if (access !== "read-write")
        return refuse(
          "NOT_WRITABLE",
          `${attribute.status} is ${access === "none" ? "not accessible" : "read-only"}`,
        );
      const text = untyped(attribute, value);
      if (text === undefined) return refuse("BAD_TYPE", `${attribute.status} is a ${attribute.type}`);
      if (!attribute.commands.some((command) => allows(command, text)))
        return refuse("OUT_OF_RANGE", `not a value ${attribute.status} may take`);
      changes.push({
        attribute: attribute.number,
        serialId: attribute.serialId,
        status: attribute.status,
        value: text,
      });
    }
    return ok(changes.sort((a, b) => a.attribute - b.attribute));
  }

  /** 6.2.5: the `as` of a spontaneous `post`, the attributes whose value changed (no-access ones left out). */
  changedAs(before: StatusesBySerial, after: StatusesBySerial, constraints: StatusConstraints = {}): LanAs {
    const as: LanAs = {};
    for (const attribute of this.attributes) {
      const value = own(own(after, attribute.serialId), attribute.status);
      if (value === undefined || value === own(own(before, attribute.serialId), attribute.status)) continue;
      if (this.accessOf(attribute, constraints) !== "none")
        as[String(attribute.number)] = typed(attribute, value);
    }
    return as;
  }

  /**
   * 6.2.3: `fids`, the codes of the active faults: a fault is numbered by its place among the profile's `faults`,
   * from 1 (the profile's `errorCode` is a string on Mc; `fids` are numbers). Ascending, each once.
   */
  fids(activeFaults: Iterable<string>): number[] {
    const out = new Set<number>();
    for (const name of activeFaults) {
      const fid = this.faultNumbers.get(name);
      if (fid === undefined) throw new UsageError("fault", `no fault ${showValue(name)} in the profile`);
      out.add(fid);
    }
    return [...out].sort((a, b) => a - b);
  }
}

function typed(attribute: LanAttribute, value: string): number | string {
  return attribute.type === "number" && isLanNumber(value) ? Number(value) : value;
}

/** A value from `as` as the status string it sets, or `undefined` if it is not of the attribute's type. */
function untyped(attribute: LanAttribute, value: unknown): string | undefined {
  if (attribute.type === "number")
    return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
  return typeof value === "string" ? value : undefined;
}

/** The same check a 2005 makes (profile-model's control): fixed value, listed values, range. */
function allows(command: LanCommandSpec, value: string): boolean {
  const n = Number(value);
  return (
    (command.value === undefined || command.value === value) &&
    (command.values === undefined || command.values.includes(value)) &&
    (command.min === undefined || n >= command.min) &&
    (command.max === undefined || n <= command.max)
  );
}

/** 6.2.3 `ota`, second element: the stages of an upgrade, numbered 1..8 in this order. */
export const otaStages = [
  "start-download",
  "downloading",
  "downloaded",
  "download-failed",
  "start-upgrade",
  "upgrading",
  "upgraded",
  "upgrade-failed",
] as const;
export type OtaStage = (typeof otaStages)[number];

/** 6.2.3: `[target (0 module, 1 device), stage 1..8, percent]`. */
export type Ota = [target: 0 | 1, stage: number, percent: number];

/** The `ota` triple of an upgrade in progress; percent is a whole number 0..100 (default 0, 6.2.3). */
export function ota(target: "module" | "device", stage: OtaStage, percent = 0): Ota {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100)
    throw new UsageError("percent", `ota percent is a whole number 0..100 (got ${showValue(percent)})`);
  return [target === "module" ? 0 : 1, otaStages.indexOf(stage) + 1, percent];
}

/**
 * The `ota` of a finished upgrade as 2026 reports it. Mc's `type` is "0" device, "1" module (5.4.3.16); Md's target
 * is the other way round, 0 module, 1 device (6.2.3).
 */
export function otaOfOutcome(outcome: Pick<UpgradeOutcome, "type" | "status">): Ota {
  const target = outcome.type === "0" ? "device" : "module";
  return outcome.status === "0" ? ota(target, "upgraded", 100) : ota(target, "upgrade-failed");
}
