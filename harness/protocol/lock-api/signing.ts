import { createHash, createHmac } from "node:crypto";
import { fail, ok, type Result, UsageError } from "../../errors.ts";
import { LockApiError } from "./errors.ts";

/**
 * Request signing as the vendor's cloud does it (the seed is silent; the reference is the official Node SDK
 * `@tuya/tuya-connector-nodejs` 2.1.2, `getSignHeaders`, and the vendor's published signing rules):
 *
 *   stringToSign = METHOD + "\n" + sha256hex(body) + "\n" + headers + "\n" + url
 *   sign         = upper(hex(HMAC-SHA256(secret, client_id + access_token + t + nonce + stringToSign)))
 *
 * - `body` is the exact bytes sent: "" when none. The SDK sends `{}` as the body of every call but the token call
 *   (a GET included) and signs it; the token call has no body and signs the hash of "".
 * - `headers` is `name:value\n` for each name listed in `Signature-Headers` (colon-separated), in that order; the SDK
 *   lists none, so its block is empty.
 * - `url` is the path, then `?` and the query pairs sorted by name (stable), all percent-decoded.
 * - The token calls (`/v1.0/token...`) are signed without `access_token`.
 * - `t` is milliseconds, as text, exactly as sent in the `t` header.
 */

export const SIGN_METHOD = "HMAC-SHA256";

/** What a request is signed over; `target` is the path with its query, as on the request line. */
export interface StringToSignInput {
  method: string;
  target: string;
  /** The exact bytes of the body; "" (or empty bytes) when there is none. */
  body?: string | Uint8Array;
  /** The signed headers in `Signature-Headers` order, with the values sent. */
  signedHeaders?: ReadonlyArray<readonly [string, string]>;
}

/** Lowercase hex SHA-256 of the body bytes. */
export function contentHash(body: string | Uint8Array = ""): string {
  return createHash("sha256").update(body).digest("hex");
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The `url` line: the decoded path, and the query pairs sorted by decoded name (ties keep their order), each
 * `name=value` decoded (or `name` when sent without `=`). A malformed percent escape is refused, naming the target.
 */
export function canonicalUrl(target: string): Result<string, LockApiError> {
  const refuse = () =>
    fail(
      new LockApiError(
        "uriPathInvalid",
        `request target: malformed percent escape (got ${JSON.stringify(target.slice(0, 80))})`,
        "url",
      ),
    );
  const at = target.indexOf("?");
  const path = decode(at < 0 ? target : target.slice(0, at));
  if (path === undefined) return refuse();
  const pairs: { name: string; text: string }[] = [];
  for (const piece of at < 0 ? [] : target.slice(at + 1).split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = decode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? "" : decode(piece.slice(eq + 1));
    if (name === undefined || value === undefined) return refuse();
    pairs.push({ name, text: eq < 0 ? name : `${name}=${value}` });
  }
  // Code-unit order, as the SDK's `Object.keys(query).sort()`; Array.prototype.sort is stable.
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ok(pairs.length === 0 ? path : `${path}?${pairs.map((p) => p.text).join("&")}`);
}

/** The headers block: `name:value\n` per signed header, "" when none. */
export function signedHeadersBlock(headers: ReadonlyArray<readonly [string, string]> = []): string {
  return headers.map(([name, value]) => `${name}:${value}\n`).join("");
}

/** The string-to-sign of a request (throws a `UsageError` on a malformed target: callers build their own). */
export function stringToSign(input: StringToSignInput): string {
  const url = canonicalUrl(input.target);
  if (!url.ok) throw new UsageError("target", url.error.message);
  return [input.method, contentHash(input.body), signedHeadersBlock(input.signedHeaders), url.value].join(
    "\n",
  );
}

/** The token calls: `GET /v1.0/token?grant_type=1` and `GET /v1.0/token/{refresh_token}`, signed without a token. */
export function isTokenPath(target: string): boolean {
  const path = target.split("?", 1)[0] ?? "";
  return path === "/v1.0/token" || path.startsWith("/v1.0/token/");
}

/** Uppercase hex HMAC-SHA256 of `text` under `secret`. */
export function hmacSign(text: string, secret: string): string {
  return createHmac("sha256", secret).update(text, "utf8").digest("hex").toUpperCase();
}

export interface SigningInput extends StringToSignInput {
  clientId: string;
  secret: string;
  /** The access token; ignored (signed as "") on the token calls. */
  accessToken?: string;
  /** Milliseconds since 1970, as sent in the `t` header. */
  t: number | string;
  nonce?: string;
}

/** The `sign` header of a request. */
export function sign(input: SigningInput): string {
  const token = isTokenPath(input.target) ? "" : (input.accessToken ?? "");
  const text = `${input.clientId}${token}${String(input.t)}${input.nonce ?? ""}${stringToSign(input)}`;
  return hmacSign(text, input.secret);
}

/** The legacy signature the SDK still sends on its refresh call: `client_id + t` (token calls) or `client_id + access_token + t`. */
export function legacySign(
  input: Pick<SigningInput, "clientId" | "secret" | "accessToken" | "t" | "target">,
): string {
  const token = isTokenPath(input.target) ? "" : (input.accessToken ?? "");
  return hmacSign(`${input.clientId}${token}${String(input.t)}`, input.secret);
}

/**
 * The headers a caller sends with a request: `client_id`, `t`, `sign_method`, `sign`, and `access_token`, `nonce` and
 * `Signature-Headers` when there are any (the signed headers themselves are the caller's to send).
 */
export function signRequest(input: SigningInput): Record<string, string> {
  const headers: Record<string, string> = {
    client_id: input.clientId,
    t: String(input.t),
    sign_method: SIGN_METHOD,
    sign: sign(input),
  };
  if (!isTokenPath(input.target) && input.accessToken) headers.access_token = input.accessToken;
  if (input.nonce) headers.nonce = input.nonce;
  if (input.signedHeaders && input.signedHeaders.length > 0)
    headers["Signature-Headers"] = input.signedHeaders.map(([name]) => name).join(":");
  return headers;
}
