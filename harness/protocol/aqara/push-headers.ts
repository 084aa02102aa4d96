import { fail, ok, type Result } from "../../errors.ts";
import { AqaraError } from "./errors.ts";
import { verifyPushSign } from "./push-signature.ts";

/**
 * A receiver's checks of a push's headers (seed, "Request header parameters"): `time` and `nonce` always; `appkey`
 * and `sign` when signing is on. hilfarm's readings: `time` is milliseconds since 1970 as decimal text, accepted
 * within `toleranceMs` of the receiver's clock; a nonce seen within that window again is a replay.
 */

export interface PushHeaderOptions {
  /** Signing on: `appkey` must be this key and `sign` must verify with the secret. */
  signing?: { appKey: string; appSecret: string };
  now: number;
  /** Default 5 minutes. */
  toleranceMs?: number;
  /** Whether this nonce was already seen (the caller remembers nonces for the tolerance window). */
  nonceSeen(nonce: string): boolean;
}

export const DEFAULT_PUSH_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_HEADER = 256;

export interface PushHeaders {
  time: string;
  nonce: string;
  appkey?: string;
}

type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

function one(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : (value as string | undefined);
}

/** The push's headers, or the first fault naming the header (302 missing, 303 illegal, 902-904). */
export function readPushHeaders(
  headers: HeaderBag,
  options: PushHeaderOptions,
): Result<PushHeaders, AqaraError> {
  const time = one(headers, "time");
  const nonce = one(headers, "nonce");
  if (time === undefined || time === "")
    return fail(new AqaraError("missingParameter", "header time", "time"));
  if (nonce === undefined || nonce === "")
    return fail(new AqaraError("missingParameter", "header nonce", "nonce"));
  if (time.length > MAX_HEADER || nonce.length > MAX_HEADER)
    return fail(
      new AqaraError(
        "illegalParameter",
        `a header over ${MAX_HEADER} characters`,
        time.length > MAX_HEADER ? "time" : "nonce",
      ),
    );
  if (!/^\d{1,16}$/.test(time))
    return fail(
      new AqaraError(
        "illegalParameter",
        `header time: milliseconds expected, got ${JSON.stringify(time.slice(0, 40))}`,
        "time",
      ),
    );
  const tolerance = options.toleranceMs ?? DEFAULT_PUSH_TOLERANCE_MS;
  if (Math.abs(Number(time) - options.now) > tolerance)
    return fail(
      new AqaraError(
        "timeInvalid",
        `header time ${time} is more than ${tolerance} ms from ${options.now}`,
        "time",
      ),
    );
  const { signing } = options;
  if (signing !== undefined) {
    const appkey = one(headers, "appkey");
    const sign = one(headers, "sign");
    if (appkey === undefined || appkey === "")
      return fail(new AqaraError("missingParameter", "header appkey", "appkey"));
    if (sign === undefined || sign === "")
      return fail(new AqaraError("missingParameter", "header sign", "sign"));
    if (appkey !== signing.appKey)
      return fail(new AqaraError("unknownApp", "header appkey is not this receiver's", "appkey"));
    if (!verifyPushSign({ appkey, nonce, time }, sign, signing.appSecret))
      return fail(
        new AqaraError(
          "signInvalid",
          "header sign does not match appkey, nonce, time and the secret",
          "sign",
        ),
      );
  }
  // Checked last: a refused push does not use up its nonce.
  if (options.nonceSeen(nonce))
    return fail(new AqaraError("nonceReused", `header nonce ${JSON.stringify(nonce.slice(0, 40))}`, "nonce"));
  return ok({ time, nonce, ...(signing === undefined ? {} : { appkey: signing.appKey }) });
}
