import { z } from "zod";
import { fail, ok, type Result, UsageError } from "../../errors.ts";
import { badParameter, type CRequestError } from "./errors.ts";

/**
 * The parameter types of 7.1.3 and `sequenceNo`. Bodies are JSON (7.1.2); the spec's `Int` and `Long` (7.3) are
 * the `Integer` of 7.1.3.
 */

/** 7.1.3: String, UTF-8. A required one is refused empty (1002 "参数异常"), as 6.2.6 reads an empty parameter. */
export const CString = z.string();
export const RequiredString = z.string().min(1, "expected a non-empty string");
/** 7.1.3: Integer. */
export const CInteger = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
/** 7.1.3: float is a floating-point number written as a string ("23.5", "-0.25"). */
export const CFloat = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal number as a string");

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** True when year/month/day (and hh:mm:ss) name a real instant of the calendar (no leap seconds). */
function isCalendarDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function isCDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isCDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  return (
    m !== null &&
    isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  );
}

/** 7.1.3: Date is a fixed-length String `YYYYMMDD`. */
export const CDate = z.string().refine(isCDate, "expected a date YYYYMMDD");
/** 7.1.3: DateTime is a fixed-length String `YYYYMMDDHHMMSS`. */
export const CDateTime = z.string().refine(isCDateTime, "expected a date-time YYYYMMDDHHMMSS");

/**
 * 7.3 (every request): `sequenceNo` is a timestamp and a serial, `YYYYMMDDHHMMSSxxxx`. The spec recommends the
 * format; hilfarm requires it (18 digits, a real date-time), so a peer that sends another one is told 1002.
 */
export const SequenceNo = z
  .string()
  .regex(/^\d{18}$/, "expected YYYYMMDDHHMMSS and 4 digits")
  .refine((s) => isCDateTime(s.slice(0, 14)), "expected YYYYMMDDHHMMSS and 4 digits, a real date-time");

/**
 * The clock of `sequenceNo`: neither the spec nor the design says; both platforms are in China, so hilfarm writes
 * China Standard Time (UTC+8, no daylight saving). A peer on another clock is still accepted: parsing takes the
 * offset too, and nothing compares the time with the receiver's.
 */
export const SEQUENCE_NO_UTC_OFFSET_MINUTES = 480;
const SERIALS = 10_000;
/** 0000-01-01T00:00:00 and 9999-12-31T23:59:59.999 local time: the instants `YYYY` can write. */
const MIN_LOCAL_MS = Date.parse("0000-01-01T00:00:00Z");
const MAX_LOCAL_MS = Date.parse("9999-12-31T23:59:59.999Z");

const two = (n: number): string => String(n).padStart(2, "0");

/** 7.1.3: an instant as `YYYYMMDDHHMMSS` in the given offset (default UTC+8, as `sequenceNo`). */
export function formatDateTime(nowMs: number, utcOffsetMinutes = SEQUENCE_NO_UTC_OFFSET_MINUTES): string {
  const local = nowMs + utcOffsetMinutes * 60_000;
  if (!Number.isFinite(local) || local < MIN_LOCAL_MS || local > MAX_LOCAL_MS)
    throw new UsageError("nowMs", `nowMs: expected an instant in years 0000..9999, got ${nowMs}`);
  const d = new Date(Math.floor(local));
  return (
    String(d.getUTCFullYear()).padStart(4, "0") +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds())
  );
}

/**
 * `sequenceNo` for an instant: its `YYYYMMDDHHMMSS` and `counter` mod 10000 as 4 digits (the spec's `xxxx`; the
 * design draws it at random, `randomSerial`; a running counter wraps). Time is passed in.
 */
export function formatSequenceNo(
  nowMs: number,
  counter: number,
  utcOffsetMinutes = SEQUENCE_NO_UTC_OFFSET_MINUTES,
): string {
  if (!Number.isSafeInteger(counter) || counter < 0)
    throw new UsageError("counter", `counter: expected a non-negative integer, got ${counter}`);
  return formatDateTime(nowMs, utcOffsetMinutes) + String(counter % SERIALS).padStart(4, "0");
}

/** The 4 random digits of a `sequenceNo` (design section 10), from the run's `Random`. */
export function randomSerial(random: { int(min: number, max: number): number }): number {
  return random.int(0, SERIALS - 1);
}

export interface SequenceNoParts {
  /** `YYYYMMDDHHMMSS`. */
  dateTime: string;
  /** The instant of `dateTime` at the offset given to the parse (whole seconds). */
  epochMs: number;
  /** `xxxx`, 0..9999. */
  serial: number;
}

/** `sequenceNo` -> its parts, or 1002 naming `sequenceNo`. Total. */
export function parseSequenceNo(
  value: unknown,
  utcOffsetMinutes = SEQUENCE_NO_UTC_OFFSET_MINUTES,
): Result<SequenceNoParts, CRequestError> {
  const checked = SequenceNo.safeParse(value);
  if (!checked.success)
    return fail(badParameter("sequenceNo", checked.error.issues[0]?.message ?? "invalid", value));
  const s = checked.data;
  const n = (from: number, to: number) => Number(s.slice(from, to));
  const date = new Date(0);
  date.setUTCFullYear(n(0, 4), n(4, 6) - 1, n(6, 8));
  date.setUTCHours(n(8, 10), n(10, 12), n(12, 14), 0);
  return ok({
    dateTime: s.slice(0, 14),
    epochMs: date.getTime() - utcOffsetMinutes * 60_000,
    serial: n(14, 18),
  });
}
