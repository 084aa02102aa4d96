import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The push signature (seed, "Signature rules"; protocol-decisions.md section 11): the header parameters `appkey`,
 * `nonce` and `time` sorted by name and spliced as `appkey=..&nonce=..&time=..`, then `&` and the appSecret, all
 * lowercased, and the 32-hex-digit MD5 of that is `sign` (lowercase).
 */

export interface PushSignedHeaders {
  appkey: string;
  nonce: string;
  time: string;
}

/** The string the MD5 is taken of. */
export function pushSignString(headers: PushSignedHeaders, appSecret: string): string {
  const spliced = (["appkey", "nonce", "time"] as const).map((name) => `${name}=${headers[name]}`).join("&");
  return `${spliced}&${appSecret}`.toLowerCase();
}

/** `sign` of a push. */
export function signPush(headers: PushSignedHeaders, appSecret: string): string {
  return createHash("md5").update(pushSignString(headers, appSecret), "utf8").digest("hex");
}

/** Whether `sign` is the push's signature, compared in constant time (either case of hex is read). */
export function verifyPushSign(headers: PushSignedHeaders, sign: string, appSecret: string): boolean {
  const expected = Buffer.from(signPush(headers, appSecret), "utf8");
  const given = Buffer.from(sign.toLowerCase(), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
