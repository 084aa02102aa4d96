import { SECRET_FIELDS } from "./secrets.ts";

/**
 * One error root for hilfarm, with coded categories (tests assert `code`, never message text):
 * - `WireError`: bytes from the wire that are not a valid frame or message. Codecs *return* these.
 * - `UsageError`: a caller's mistake (bad option, bad body handed to an encoder). Thrown.
 */
export class HilfarmError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bytes from the wire that are not a valid frame or message; each protocol names its codes (`CtsErrorCode`, ...). */
export class WireError<Code extends string = string> extends HilfarmError {
  declare readonly code: Code;
  /** Dotted path of the offending field, when one field is to blame (`cmd.0.cmdParam`). */
  readonly field: string | undefined;
  constructor(code: Code, message: string, field?: string) {
    super(code, message);
    this.field = field;
  }
}

export class UsageError extends HilfarmError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("USAGE", message);
    this.field = field;
  }
}

export type Result<T, E = WireError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

const secretJsonValue = new RegExp(`"(${SECRET_FIELDS.join("|")})"\\s*:\\s*"[^"]*"?`, "g");

/** A short, printable excerpt of untrusted input for an error message; secret JSON fields are masked. */
export function excerpt(input: string | Uint8Array, max = 40): string {
  // Only a window is read, so a 64 KiB frame costs no more than a short one; a secret cut by the window's end is
  // still masked (its closing quote is optional in the pattern).
  const window = max + 64;
  const raw =
    typeof input === "string"
      ? input.slice(0, window)
      : Buffer.from(input.subarray(0, window)).toString("latin1");
  const text = raw.replace(secretJsonValue, '"$1":"[redacted]"');
  const long = text.length > max || (typeof input === "string" ? input.length : input.length) > window;
  return JSON.stringify(long ? `${text.slice(0, max)}…` : text);
}

/** Nesting shown by `showValue`; deeper values are written `[…]` / `{…}`. */
const SHOW_DEPTH = 3;

/**
 * A value as JSON would write it, cut short, for an error message (`got 1`, `got "abc"`). Total and bounded: it never
 * throws and reads at most about `max` characters' worth of the value, whatever its depth, size or cycles (values in
 * errors come from the wire).
 */
export function showValue(value: unknown, max = 40): string {
  const out: string[] = [];
  let length = 0;
  const seen = new Set<object>();
  const write = (text: string): boolean => {
    out.push(text);
    length += text.length;
    return length <= max;
  };
  const visit = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case "string":
        return write(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v));
      case "number":
        return write(Number.isFinite(v) ? String(v) : "null");
      case "boolean":
        return write(String(v));
      case "bigint":
        return write(`${v}n`);
      case "undefined":
        return write("undefined");
      case "symbol":
        return write(v.description === undefined ? "Symbol()" : `Symbol(${v.description.slice(0, max)})`);
      case "function":
        return write("[function]");
    }
    if (v === null) return write("null");
    const object = v as object;
    const array = Array.isArray(object);
    if (seen.has(object)) return write("[circular]");
    if (depth >= SHOW_DEPTH) return write(array ? "[…]" : "{…}");
    seen.add(object);
    try {
      if (!write(array ? "[" : "{")) return false;
      let first = true;
      for (const key in object) {
        if (!Object.hasOwn(object, key)) continue;
        if (!first && !write(",")) return false;
        first = false;
        if (!array && !write(`${JSON.stringify(key.length > max ? key.slice(0, max + 1) : key)}:`))
          return false;
        if (!visit((object as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return write(array ? "]" : "}");
    } catch {
      // A getter or proxy that throws: say so rather than fail the message that shows it.
      return write("[unreadable]");
    } finally {
      seen.delete(object);
    }
  };
  visit(value, 0);
  const text = out.join("");
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
