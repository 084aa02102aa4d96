import { showValue, WireError } from "../../errors.ts";
import { isSecretField } from "../../secrets.ts";

/**
 * The error codes of the smart-lock open API (`code` and `msg` of a failure envelope).
 * - The seed shows one code in its failure samples, 500 "system error, please contact the admin", and sends the reader
 *   to the vendor's "Global Error Codes" for the rest: the codes below are that published table's (500, 10xx, 11xx,
 *   20xx), `msg` as the vendor writes it.
 * - The vendor publishes no code of its own for a password ticket that is unknown, expired or used, nor for a password
 *   whose digit count does not fit the lock: those answer the table's parameter codes (1109, 1101) and are told apart
 *   by `name` here and by the detail in `msg` on the wire (docs/protocol-readings.md, "Smart-lock open API").
 */
export const lockApiErrors = {
  systemError: { code: 500, msg: "system error, please contact the admin" },
  dataNotExist: { code: 1000, msg: "data not exist" },
  secretInvalid: { code: 1001, msg: "secret invalid" },
  accessTokenMissing: { code: 1002, msg: "access_token is null" },
  grantTypeInvalid: { code: 1003, msg: "grant type invalid" },
  signInvalid: { code: 1004, msg: "sign invalid" },
  clientIdInvalid: { code: 1005, msg: "clientId invalid" },
  tokenExpired: { code: 1010, msg: "token is expired" },
  tokenInvalid: { code: 1011, msg: "token invalid" },
  tokenStatusInvalid: { code: 1012, msg: "token status is invalid" },
  requestTimeInvalid: { code: 1013, msg: "request time is invalid" },
  paramEmpty: { code: 1100, msg: "param is empty" },
  paramRangeInvalid: { code: 1101, msg: "params range invalid" },
  headerMissing: { code: 1105, msg: "missing the header" },
  permissionDenied: { code: 1106, msg: "permission deny" },
  uriPathInvalid: { code: 1108, msg: "uri path invalid" },
  paramIllegal: { code: 1109, msg: "param is illegal, please check it" },
  deviceOffline: { code: 2001, msg: "device is offline" },
  functionNotSupported: { code: 2003, msg: "function not support" },
  lockTypeNotSupported: { code: 2004, msg: "not support the lock type" },
  userNotExist: { code: 2006, msg: "user not exist" },
  deviceNotExist: { code: 2010, msg: "device not exist" },
  // No vendor code of their own (see above): parameter codes, told apart by name.
  ticketInvalid: { code: 1109, msg: "password ticket invalid" },
  ticketExpired: { code: 1109, msg: "password ticket expired" },
  ticketUsed: { code: 1109, msg: "password ticket already used" },
  passwordDigitsWrong: { code: 1101, msg: "password length does not fit the lock" },
} as const satisfies Readonly<Record<string, { readonly code: number; readonly msg: string }>>;

export type LockApiErrorName = keyof typeof lockApiErrors;
export type LockApiErrorCode = (typeof lockApiErrors)[LockApiErrorName]["code"];

/** Every name in table order, for tests and docs. */
export const lockApiErrorNames = Object.keys(lockApiErrors) as LockApiErrorName[];

/**
 * A refused lock-API request: `code` is the name (tests assert it), `apiCode` the number sent as `code` on the wire,
 * `message` the `msg` sent (the vendor's text, then the field and value at fault), `field` and `value` as shown.
 */
export class LockApiError extends WireError<LockApiErrorName> {
  readonly apiCode: number;
  /** The offending value as `showValue` writes it, `[redacted]` for a secret, `undefined` when none is named. */
  readonly value: string | undefined;
  constructor(name: LockApiErrorName, detail?: string, field?: string, value?: string) {
    const base = lockApiErrors[name].msg;
    super(name, detail === undefined ? base : `${base}: ${detail}`, field);
    this.apiCode = lockApiErrors[name].code;
    this.value = value;
  }
}

/** Fields of the lock API whose values are never shown (the project-wide list holds the API's own secrets too). */
export function isLockSecretField(name: string | undefined): boolean {
  return name !== undefined && isSecretField(name);
}

/** A value for a message, `[redacted]` when its field holds a secret. */
export function showLockValue(field: string, value: unknown): string {
  return isLockSecretField(field.split(".").at(-1)) ? "[redacted]" : showValue(value);
}

/** 1100: a required parameter that is missing or empty, naming it. */
export function missingParameter(field: string): LockApiError {
  return new LockApiError("paramEmpty", `${field} is required`, field);
}

/** 1109 (or another parameter code): a parameter with a wrong value, naming the field and the value. */
export function badParameter(
  field: string,
  expected: string,
  value: unknown,
  name: "paramIllegal" | "paramRangeInvalid" = "paramIllegal",
): LockApiError {
  const shown = showLockValue(field, value);
  return new LockApiError(name, `${field}: expected ${expected} (got ${shown})`, field, shown);
}
