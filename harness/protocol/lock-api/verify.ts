import { createHash, timingSafeEqual } from "node:crypto";
import { fail, ok, type Result } from "../../errors.ts";
import { LockApiError, type LockApiErrorName } from "./errors.ts";
import {
  canonicalUrl,
  contentHash,
  hmacSign,
  isTokenPath,
  SIGN_METHOD,
  signedHeadersBlock,
} from "./signing.ts";

/**
 * The server side of signing (signing.ts has the rule): which check a request fails, or who signed it.
 * Checks in order: the headers are there (`client_id`, `t`, `sign`, `sign_method`, each listed signed header) -> the
 * client is known -> the signature matches (constant time) -> `t` lies within the tolerance window around `now`.
 * The signature is checked before `t`, so a replayed genuine request is told apart from a forged one.
 */

/** The default tolerance for `t` on either side of `now`: 5 minutes (hilfarm's choice: the vendor publishes none). */
export const DEFAULT_T_TOLERANCE_MS = 5 * 60 * 1000;

/** A request as the server received it; header names in any case (Node gives them lower-cased). */
export interface ReceivedRequest {
  method: string;
  /** The request target: path and query as on the request line. */
  target: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact body bytes; "" when none. */
  body: string | Uint8Array;
}

export type SignatureCheck = "missing-header" | "unknown-client" | "bad-sign" | "stale-t";

/** Which check failed, with the lock-API error it is answered with. */
export class SignatureError extends LockApiError {
  readonly check: SignatureCheck;
  constructor(check: SignatureCheck, name: LockApiErrorName, detail: string, field: string, value?: string) {
    super(name, detail, field, value);
    this.check = check;
  }
}

export interface VerifiedRequest {
  clientId: string;
  /** The access token sent ("" when none); a token call's is not part of the signature and is given as "". */
  accessToken: string;
  t: number;
  nonce: string;
  /** `hmac-sha256` (the rule in signing.ts), or `legacy` (`client_id [+ access_token] + t`, when allowed). */
  algorithm: "hmac-sha256" | "legacy";
}

export interface VerifyOptions {
  /** Accepted distance between `t` and `now`, either side (inclusive); default `DEFAULT_T_TOLERANCE_MS`. */
  toleranceMs?: number;
  /**
   * Whether the legacy signature is accepted: `token` (default) on the token calls only, since the SDK signs its
   * refresh call that way; `never`; or `always` (the SDK's `version: "v1"`).
   */
  legacy?: "token" | "never" | "always";
}

/** A header's value: the first when repeated, undefined when absent. */
export function headerValue(headers: ReceivedRequest["headers"], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    return typeof value === "string" ? value : value[0];
  }
  return undefined;
}

function sameSign(expected: string, given: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(expected), digest(given));
}

const missing = (name: string) =>
  new SignatureError("missing-header", "headerMissing", `header ${name} is required`, name);

/**
 * Verifies a request's signature at `now` (milliseconds). `secret` is the client's secret, or a lookup from
 * `client_id` to it (undefined: unknown client, 1005). Total: nothing from the wire throws.
 */
export function verifySignature(
  request: ReceivedRequest,
  secret: string | ((clientId: string) => string | undefined),
  now: number,
  options: VerifyOptions = {},
): Result<VerifiedRequest, SignatureError | LockApiError> {
  const header = (name: string) => headerValue(request.headers, name);
  const clientId = header("client_id");
  const tText = header("t");
  const given = header("sign");
  const method = header("sign_method");
  for (const [name, value] of [
    ["client_id", clientId],
    ["t", tText],
    ["sign", given],
    ["sign_method", method],
  ] as const)
    if (value === undefined || value === "") return fail(missing(name));
  if (clientId === undefined || tText === undefined || given === undefined) return fail(missing("sign"));
  if (method !== SIGN_METHOD)
    return fail(
      new SignatureError(
        "bad-sign",
        "signInvalid",
        `sign_method: expected ${SIGN_METHOD} (got ${JSON.stringify(method)})`,
        "sign_method",
        JSON.stringify(method),
      ),
    );
  const key = typeof secret === "string" ? secret : secret(clientId);
  if (key === undefined)
    return fail(
      new SignatureError(
        "unknown-client",
        "clientIdInvalid",
        `client_id: not a known client (got ${JSON.stringify(clientId)})`,
        "client_id",
        JSON.stringify(clientId),
      ),
    );
  const signed: [string, string][] = [];
  for (const name of (header("Signature-Headers") ?? "").split(":")) {
    if (name === "") continue;
    const value = header(name);
    if (value === undefined) return fail(missing(name));
    signed.push([name, value]);
  }
  const url = canonicalUrl(request.target);
  if (!url.ok) return fail(url.error);
  const tokenCall = isTokenPath(request.target);
  const accessToken = tokenCall ? "" : (header("access_token") ?? "");
  const nonce = header("nonce") ?? "";
  const text = [request.method, contentHash(request.body), signedHeadersBlock(signed), url.value].join("\n");
  let algorithm: VerifiedRequest["algorithm"] | undefined;
  if (sameSign(hmacSign(`${clientId}${accessToken}${tText}${nonce}${text}`, key), given))
    algorithm = "hmac-sha256";
  else {
    const legacy = options.legacy ?? "token";
    const allowed = legacy === "always" || (legacy === "token" && tokenCall);
    if (allowed && sameSign(hmacSign(`${clientId}${accessToken}${tText}`, key), given)) algorithm = "legacy";
  }
  if (algorithm === undefined)
    return fail(
      new SignatureError("bad-sign", "signInvalid", "sign: does not match the request", "sign", "[redacted]"),
    );
  const tolerance = options.toleranceMs ?? DEFAULT_T_TOLERANCE_MS;
  const t = /^\d{1,16}$/.test(tText) ? Number(tText) : Number.NaN;
  if (!Number.isSafeInteger(t))
    return fail(
      new SignatureError(
        "stale-t",
        "requestTimeInvalid",
        `t: expected milliseconds since 1970 (got ${JSON.stringify(tText.slice(0, 40))})`,
        "t",
        JSON.stringify(tText.slice(0, 40)),
      ),
    );
  if (Math.abs(now - t) > tolerance)
    return fail(
      new SignatureError(
        "stale-t",
        "requestTimeInvalid",
        `t: ${t} is ${now - t} ms from the server's time ${now} (tolerance ±${tolerance} ms)`,
        "t",
        String(t),
      ),
    );
  return ok({ clientId, accessToken, t, nonce, algorithm });
}
