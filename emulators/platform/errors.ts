import { HilfarmError } from "../../harness/errors.ts";

export type PlatformErrorCode =
  | "UNKNOWN_DEVICE"
  | "OFFLINE"
  | "DEVICE_TIMEOUT"
  | "BAD_REQUEST"
  | "UNKNOWN_FIRMWARE"
  | "BODY_TOO_LARGE"
  | "FRAME_TOO_LONG"
  | "TOO_DEEP"
  | "TOO_MANY_FIRMWARE_FILES"
  | "FIRMWARE_BUSY"
  | "UNAUTHORIZED"
  | "METHOD_NOT_ALLOWED"
  | "THIRD_PARTY_REFUSED"
  | "THIRD_PARTY_UNREACHABLE"
  | "THIRD_PARTY_TIMEOUT"
  | "NO_THIRD_PARTY"
  | "NO_FLEET";

/** An operation of the northbound API that could not be carried out; each code has its HTTP status. */
export class PlatformError extends HilfarmError {
  declare readonly code: PlatformErrorCode;
  /** More for the answer's body: a third party's result code and `desc`. */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: PlatformErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message);
    this.details = details;
  }
}

export const httpStatusOf: Record<PlatformErrorCode, 400 | 401 | 404 | 405 | 409 | 413 | 502 | 503 | 504> = {
  UNKNOWN_DEVICE: 404,
  UNKNOWN_FIRMWARE: 404,
  OFFLINE: 409,
  DEVICE_TIMEOUT: 504,
  BAD_REQUEST: 400,
  BODY_TOO_LARGE: 413,
  // A request whose frame would pass the devices' frame limit, and JSON nested past the limit: the caller's input.
  FRAME_TOO_LONG: 400,
  TOO_DEEP: 400,
  // The store is full until a file is replaced or deleted: a conflict with its state, not a server fault.
  TOO_MANY_FIRMWARE_FILES: 409,
  // An upload of that name, or too many uploads, already under way: try again when they end.
  FIRMWARE_BUSY: 409,
  UNAUTHORIZED: 401,
  METHOD_NOT_ALLOWED: 405,
  // Chapter 7: the third-party platform answered a failure code (7.3.2.12), no valid answer, or none in time.
  THIRD_PARTY_REFUSED: 502,
  THIRD_PARTY_UNREACHABLE: 502,
  THIRD_PARTY_TIMEOUT: 504,
  // A device behind a third party, on a platform started without `--third-party-url`.
  NO_THIRD_PARTY: 503,
  // A route of the fleet beside the platform, before the fleet runs.
  NO_FLEET: 503,
};
