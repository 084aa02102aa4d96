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

export type WireErrorCode =
  | "NO_PREFIX"
  | "BAD_JSON"
  | "BAD_ENVELOPE"
  | "UNKNOWN_CODE"
  | "BAD_BASE64"
  | "DECRYPT_FAILED"
  | "BAD_BODY_JSON"
  | "BAD_BODY"
  | "FRAME_TOO_LONG"
  | "NO_KEY";

export class WireError extends HilfarmError {
  declare readonly code: WireErrorCode;
  /** Dotted path of the offending field, when one field is to blame (`cmd.0.cmdParam`). */
  readonly field: string | undefined;
  constructor(code: WireErrorCode, message: string, field?: string) {
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
  const raw = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  const text = raw.replace(secretJsonValue, '"$1":"[redacted]"');
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** A JSON value as it would be written, cut short, for an error message (`got 1`, `got "abc"`). */
export function showValue(value: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
