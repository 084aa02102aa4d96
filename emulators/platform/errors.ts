import { HilfarmError } from "../../harness/errors.ts";

export type PlatformErrorCode =
  | "UNKNOWN_DEVICE"
  | "OFFLINE"
  | "DEVICE_TIMEOUT"
  | "BAD_REQUEST"
  | "UNKNOWN_FIRMWARE";

/** An operation of the northbound API that could not be carried out; each code has its HTTP status. */
export class PlatformError extends HilfarmError {
  declare readonly code: PlatformErrorCode;
  constructor(code: PlatformErrorCode, message: string) {
    super(code, message);
  }
}

export const httpStatusOf: Record<PlatformErrorCode, 400 | 404 | 409 | 504> = {
  UNKNOWN_DEVICE: 404,
  UNKNOWN_FIRMWARE: 404,
  OFFLINE: 409,
  DEVICE_TIMEOUT: 504,
  BAD_REQUEST: 400,
};
