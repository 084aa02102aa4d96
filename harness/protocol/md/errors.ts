import { WireError } from "../../errors.ts";

/** What can be wrong with an Md discovery struct (6.2.1): binary, so none of these is a CTS error. */
export const mdStructErrorCodes = [
  /** The bytes end before a field does. */
  "TRUNCATED",
  /** Bytes left after the last field. */
  "TRAILING_BYTES",
  /** A field whose value the struct does not allow (an empty device id, a flag out of range, ...). */
  "BAD_FIELD",
  /** A string field that is not printable ASCII/UTF-8. */
  "BAD_TEXT",
] as const;

export type MdStructErrorCode = (typeof mdStructErrorCodes)[number];

export type MdStructError = WireError<MdStructErrorCode>;

export function structError(code: MdStructErrorCode, message: string, field?: string): MdStructError {
  return new WireError(code, message, field);
}
