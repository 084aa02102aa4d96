import { showValue, WireError } from "../../errors.ts";
import { isSecretField } from "../../secrets.ts";
import { type CResultCode, cResultCodes } from "./result-codes.ts";

/** What a C request or response can be refused for, each with the result code it is answered with (7.3.1.9). */
export const cErrorCodes = ["TOKEN_INVALID", "BAD_PARAMETERS", "DEVICE_UNKNOWN", "FAILURE"] as const;
export type CErrorCode = (typeof cErrorCodes)[number];

const resultCodeOf: Readonly<Record<CErrorCode, CResultCode>> = {
  TOKEN_INVALID: cResultCodes.tokenInvalid,
  BAD_PARAMETERS: cResultCodes.badParameters,
  DEVICE_UNKNOWN: cResultCodes.deviceUnknown,
  FAILURE: cResultCodes.failure,
};

/** A refused C message: the code it is answered with (`resultCode`), the field to blame and its value as shown. */
export class CRequestError extends WireError<CErrorCode> {
  readonly resultCode: CResultCode;
  /** The offending value as `showValue` writes it, `[redacted]` for a secret, `undefined` when it is missing. */
  readonly value: string | undefined;
  constructor(code: CErrorCode, message: string, field?: string, value?: string) {
    super(code, message, field);
    this.resultCode = resultCodeOf[code];
    this.value = value;
  }
}

/** Fields of C bodies that are secrets (`access_token`, `platformKey`, `cloudKey` are in the project-wide list). */
export function isCSecretField(name: PropertyKey | undefined): boolean {
  return isSecretField(name);
}

/** A value for an error message, masked when the field holding it is a secret. */
export function showCValue(field: PropertyKey | undefined, value: unknown): string {
  return isCSecretField(field) ? "[redacted]" : showValue(value);
}

/** 1002 naming the field and the value (7.3.1.9: "请求参数错误"). */
export function badParameter(field: string, message: string, value?: unknown, present = true): CRequestError {
  const last = field.split(".").at(-1);
  const shown = present ? showCValue(last, value) : undefined;
  const got = shown === undefined ? " (missing)" : ` (got ${shown})`;
  return new CRequestError("BAD_PARAMETERS", `${field}: ${message}${got}`, field, shown);
}
