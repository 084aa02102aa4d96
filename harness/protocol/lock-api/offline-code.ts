import { createHmac } from "node:crypto";

/**
 * hilfarm's offline and dynamic passwords: codes the cloud hands out and the lock checks on its own, with no link,
 * from a key both hold (the vendor's algorithm is not public; this one is hilfarm's). Pure: the lock API's surface
 * and the emulated lock's keypad both call these functions, so the rule is written once.
 *
 * - The lock's `local_key`: HMAC-SHA256(PIN, "hilfarm-lock-local-key/" + device id), 16 hex characters.
 * - An offline code has 10 digits (the seed's example, line 1220): `T NNN MMMMMM`. `T` is the seed's type number
 *   (0 multiple, 1 once, 8 clear_one, 9 clear_all, lines 1181-1193); `NNN` is the window's length in hours for
 *   multiple and clear_one (1-999), a number that tells codes of the same hour apart for once (6 h) and clear_all
 *   (24 h); `MMMMMM` is HMAC-SHA256(local_key, "offline/T/start hour/hours/NNN/target") as 6 digits, the start hour
 *   counted from the Unix epoch, `target` the code a clear_one code clears (empty otherwise). The lock tries each
 *   start hour whose window holds its own clock's hour.
 * - A dynamic code has 8 digits: HMAC-SHA256(local_key, "dynamic/step") with 5-minute steps; the lock takes the
 *   current step's code and the previous one's.
 */

export const OFFLINE_DIGITS = 10;
export const DYNAMIC_DIGITS = 8;
export const DYNAMIC_STEP_S = 300;
export const HOUR_S = 3600;
/** Seed lines 1186-1188: a once code lasts 6 hours from its hour, a clear_all code 24. */
export const ONCE_HOURS = 6;
export const CLEAR_ALL_HOURS = 24;
/** The most hours a multiple or clear_one window may span: its length must fit three digits. */
export const MAX_WINDOW_HOURS = 999;

export type OfflineType = "multiple" | "once" | "clear_one" | "clear_all";

/** The seed's type numbers (v1.0 `type` and lines 1181-1193). */
export const offlineTypeNumber: Readonly<Record<OfflineType, number>> = {
  multiple: 0,
  once: 1,
  clear_one: 8,
  clear_all: 9,
};

const typeOfDigit = new Map(Object.entries(offlineTypeNumber).map(([t, n]) => [String(n), t as OfflineType]));

/** Once and clear_all codes last a fixed time; their middle digits are a serial instead of the length. */
const fixedHours: Partial<Record<OfflineType, number>> = { once: ONCE_HOURS, clear_all: CLEAR_ALL_HOURS };

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/** The first 6 bytes of a MAC as `digits` decimal digits. */
function macDigits(key: string, text: string, digits: number): string {
  const n = hmac(key, text).readUIntBE(0, 6) % 10 ** digits;
  return String(n).padStart(digits, "0");
}

/** A lock's key for offline and dynamic codes, from its PIN (the `local_key` of the device's information). */
export function lockLocalKey(pin: string, deviceId: string): string {
  return hmac(pin, `hilfarm-lock-local-key/${deviceId}`).toString("hex").slice(0, 16);
}

export const hourOf = (seconds: number) => Math.floor(seconds / HOUR_S);

export interface OfflineCodeInput {
  type: OfflineType;
  /** Hours since the Unix epoch. */
  startHour: number;
  /** The window's length in hours (fixed for once and clear_all). */
  hours: number;
  /** once and clear_all: 0-999, tells apart the codes of one lock issued in the same hour. */
  serial?: number;
  /** clear_one: the code it clears. */
  target?: string;
}

const middleOf = (input: OfflineCodeInput) =>
  String(fixedHours[input.type] === undefined ? input.hours : (input.serial ?? 0)).padStart(3, "0");

const offlineMac = (
  key: string,
  type: OfflineType,
  start: number,
  hours: number,
  middle: string,
  target = "",
) => macDigits(key, `offline/${offlineTypeNumber[type]}/${start}/${hours}/${middle}/${target}`, 6);

/** The 10 digits of an offline code. Throws on a window or serial the layout cannot hold (a caller's mistake). */
export function offlineCode(localKey: string, input: OfflineCodeInput): string {
  const fixed = fixedHours[input.type];
  if (fixed !== undefined && input.hours !== fixed)
    throw new RangeError(`hours: a ${input.type} code lasts ${fixed} hours, got ${input.hours}`);
  if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > MAX_WINDOW_HOURS)
    throw new RangeError(`hours: expected 1-${MAX_WINDOW_HOURS}, got ${input.hours}`);
  const serial = input.serial ?? 0;
  if (!Number.isInteger(serial) || serial < 0 || serial > 999)
    throw new RangeError(`serial: expected 0-999, got ${serial}`);
  const middle = middleOf(input);
  const mac = offlineMac(localKey, input.type, input.startHour, input.hours, middle, input.target);
  return `${offlineTypeNumber[input.type]}${middle}${mac}`;
}

/** The 7-digit id of an offline code (the seed's example id has 7, line 1219): the lock can name it in its logs. */
export function offlinePasswordId(localKey: string, code: string): string {
  return String(1_000_000 + (hmac(localKey, `offline-id/${code}`).readUIntBE(0, 6) % 9_000_000));
}

/** The dynamic code of the 5-minute step that holds `nowS` (Unix seconds). */
export function dynamicCode(localKey: string, nowS: number): string {
  return macDigits(localKey, `dynamic/${Math.floor(nowS / DYNAMIC_STEP_S)}`, DYNAMIC_DIGITS);
}

/** A code the lock remembers until `until` (Unix seconds). */
export interface Remembered {
  readonly code: string;
  readonly until: number;
}

/** What the lock keeps of offline codes: once and clear codes used, codes cleared, codes that opened it. */
export interface OfflineMemory {
  readonly used: readonly Remembered[];
  readonly cleared: readonly Remembered[];
  /** Multiple codes that opened the lock: the ones a clear_one code can name. */
  readonly known: readonly Remembered[];
  /** A clear_all code voids every code whose window began in or before this hour. */
  readonly voidThroughHour: number;
}

export const emptyOfflineMemory: OfflineMemory = { used: [], cleared: [], known: [], voidThroughHour: -1 };

export type LockCodeVerdict =
  | { readonly kind: "open"; readonly type: OfflineType | "dynamic"; readonly id: string }
  | { readonly kind: "refused" };

export interface Found {
  readonly type: OfflineType;
  readonly startHour: number;
  readonly hours: number;
  readonly target: string | undefined;
}

/** The window (and target) of a 10-digit code that holds `nowS`, as the lock finds it; undefined when none. */
export function findOfflineWindow(
  localKey: string,
  code: string,
  nowS: number,
  targets: readonly string[] = [],
): Found | undefined {
  if (!/^\d{10}$/.test(code)) return undefined;
  const type = typeOfDigit.get(code.charAt(0));
  if (type === undefined) return undefined;
  const middle = code.slice(1, 4);
  const mac = code.slice(4);
  const hours = fixedHours[type] ?? Number(middle);
  if (hours < 1) return undefined;
  const nowHour = hourOf(nowS);
  for (let start = nowHour; start > nowHour - hours; start--)
    for (const target of type === "clear_one" ? targets : [""])
      if (offlineMac(localKey, type, start, hours, middle, target) === mac)
        return { type, startHour: start, hours, target: type === "clear_one" ? target : undefined };
  return undefined;
}

const live = (list: readonly Remembered[], nowS: number) => list.filter((r) => r.until > nowS);
const holds = (list: readonly Remembered[], code: string) => list.some((r) => r.code === code);

/**
 * The lock's judgement of a typed offline or dynamic code at `nowS` on its own clock, and what it remembers after.
 * A once code opens once; a clear code opens once (seed line 1112: a clearing code is "a one-time password") and
 * voids: clear_all every code whose window began in or before its own hour, clear_one the code it names.
 */
export function verifyLockCode(
  localKey: string,
  memory: OfflineMemory,
  code: string,
  nowS: number,
): { verdict: LockCodeVerdict; memory: OfflineMemory } {
  const kept: OfflineMemory = {
    used: live(memory.used, nowS),
    cleared: live(memory.cleared, nowS),
    known: live(memory.known, nowS),
    voidThroughHour: memory.voidThroughHour,
  };
  const refused = { verdict: { kind: "refused" } as const, memory: kept };
  if (/^\d{8}$/.test(code)) {
    const step = Math.floor(nowS / DYNAMIC_STEP_S);
    for (const s of [step, step - 1])
      if (dynamicCode(localKey, s * DYNAMIC_STEP_S) === code)
        return { verdict: { kind: "open", type: "dynamic", id: String(s) }, memory: kept };
    return refused;
  }
  const found = findOfflineWindow(
    localKey,
    code,
    nowS,
    kept.known.map((r) => r.code),
  );
  if (found === undefined || holds(kept.used, code) || holds(kept.cleared, code)) return refused;
  const isClear = found.type === "clear_one" || found.type === "clear_all";
  if (!isClear && found.startHour <= kept.voidThroughHour) return refused;
  const until = (found.startHour + found.hours) * HOUR_S;
  const verdict = { kind: "open", type: found.type, id: offlinePasswordId(localKey, code) } as const;
  if (found.type === "multiple")
    return {
      verdict,
      memory: { ...kept, known: holds(kept.known, code) ? kept.known : [...kept.known, { code, until }] },
    };
  const used = [...kept.used, { code, until }];
  if (found.type === "once") return { verdict, memory: { ...kept, used } };
  if (found.type === "clear_all")
    return {
      verdict,
      memory: { ...kept, used, voidThroughHour: Math.max(kept.voidThroughHour, found.startHour) },
    };
  const target = kept.known.find((r) => r.code === found.target) as Remembered;
  return {
    verdict,
    memory: {
      ...kept,
      used,
      cleared: [...kept.cleared, target],
      known: kept.known.filter((r) => r !== target),
    },
  };
}
