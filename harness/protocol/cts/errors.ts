import { WireError } from "../../errors.ts";

/** What can be wrong with a CTS frame, from the wire to a checked body: the error codes of every CTS interface. */
export const ctsErrorCodes = [
  "NO_PREFIX",
  "BAD_JSON",
  /** JSON (envelope or body) nested deeper than the decoder accepts (`MAX_JSON_DEPTH`). */
  "TOO_DEEP",
  "BAD_ENVELOPE",
  "UNKNOWN_CODE",
  "BAD_BASE64",
  "DECRYPT_FAILED",
  "BAD_BODY_JSON",
  "BAD_BODY",
  "FRAME_TOO_LONG",
  "NO_KEY",
] as const;

export type CtsErrorCode = (typeof ctsErrorCodes)[number];

/** A CTS frame or message that is not valid. */
export type CtsWireError = WireError<CtsErrorCode>;

export function ctsError(code: CtsErrorCode, message: string, field?: string): CtsWireError {
  return new WireError(code, message, field);
}
