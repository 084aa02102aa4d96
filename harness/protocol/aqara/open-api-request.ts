import { fail, ok, type Result } from "../../errors.ts";
import { AqaraError } from "./errors.ts";
import { type OpenApiSignedHeaders, verifyOpenApiSign } from "./open-api-auth.ts";

/**
 * The open API's checks of a request's headers (hilfarm's reading, docs/protocol-readings.md): `Appid`, `Keyid`,
 * `Nonce`, `Time` (milliseconds since 1970) and `Sign` always, `Accesstoken` when the caller has one. Checked in the
 * order of a push's headers: missing 302, malformed 303, `Time` more than `toleranceMs` from the platform's clock 903,
 * unknown app or key 901, `Sign` not matching 902, a nonce the app already used within the window 904; each names the
 * header.
 */

export interface OpenApiRequestOptions {
  now: number;
  /** Default 5 minutes, as a push's. */
  toleranceMs?: number;
  /** The app's key ids, each with the app key it signs with; undefined when there is no such app. */
  keysOf(appId: string): ReadonlyMap<string, string> | undefined;
  /** Whether `appId` already used this nonce (the caller remembers nonces for the tolerance window). */
  nonceSeen(appId: string, nonce: string): boolean;
}

export const DEFAULT_OPEN_API_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_HEADER = 256;

export interface OpenApiCaller {
  appId: string;
  keyId: string;
  nonce: string;
  /** Milliseconds since 1970, as sent. */
  time: number;
  /** Empty when the request carries none. */
  accessToken: string;
}

type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The header names as the open API writes them; Node gives them lower-cased. */
const REQUIRED = ["Appid", "Keyid", "Nonce", "Time", "Sign"] as const;

function one(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? undefined : (value as string | undefined);
}

/** The request's caller, or the first fault naming the header. */
export function readOpenApiRequest(
  headers: HeaderBag,
  options: OpenApiRequestOptions,
): Result<OpenApiCaller, AqaraError> {
  const values: Record<string, string> = {};
  for (const name of REQUIRED) {
    const value = one(headers, name);
    if (value === undefined || value === "")
      return fail(new AqaraError("missingParameter", `header ${name}`, name));
    if (value.length > MAX_HEADER)
      return fail(new AqaraError("illegalParameter", `header ${name} over ${MAX_HEADER} characters`, name));
    values[name] = value;
  }
  const accessToken = one(headers, "Accesstoken") ?? "";
  if (accessToken.length > MAX_HEADER)
    return fail(
      new AqaraError("illegalParameter", `header Accesstoken over ${MAX_HEADER} characters`, "Accesstoken"),
    );
  const {
    Appid: appId = "",
    Keyid: keyId = "",
    Nonce: nonce = "",
    Time: time = "",
    Sign: sign = "",
  } = values;
  if (!/^\d{1,16}$/.test(time))
    return fail(
      new AqaraError(
        "illegalParameter",
        `header Time: milliseconds expected, got ${JSON.stringify(time.slice(0, 40))}`,
        "Time",
      ),
    );
  const tolerance = options.toleranceMs ?? DEFAULT_OPEN_API_TOLERANCE_MS;
  if (Math.abs(Number(time) - options.now) > tolerance)
    return fail(
      new AqaraError(
        "timeInvalid",
        `header Time ${time} is more than ${tolerance} ms from ${options.now}`,
        "Time",
      ),
    );
  const keys = options.keysOf(appId);
  if (keys === undefined)
    return fail(new AqaraError("unknownApp", `header Appid ${JSON.stringify(appId.slice(0, 40))}`, "Appid"));
  const appKey = keys.get(keyId);
  if (appKey === undefined)
    return fail(
      new AqaraError(
        "unknownApp",
        `header Keyid ${JSON.stringify(keyId.slice(0, 40))} is not a key of app ${JSON.stringify(appId.slice(0, 40))}`,
        "Keyid",
      ),
    );
  const signed: OpenApiSignedHeaders = {
    appid: appId,
    keyid: keyId,
    nonce,
    time,
    ...(accessToken === "" ? {} : { accesstoken: accessToken }),
  };
  if (!verifyOpenApiSign(signed, sign, appKey))
    return fail(
      new AqaraError(
        "signInvalid",
        "header Sign does not match Accesstoken, Appid, Keyid, Nonce, Time and the app key",
        "Sign",
      ),
    );
  // Checked last: a refused request does not use up its nonce.
  if (options.nonceSeen(appId, nonce))
    return fail(new AqaraError("nonceReused", `header Nonce ${JSON.stringify(nonce.slice(0, 40))}`, "Nonce"));
  return ok({ appId, keyId, nonce, time: Number(time), accessToken });
}
