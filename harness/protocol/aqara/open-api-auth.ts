import { createHash, timingSafeEqual } from "node:crypto";

/**
 * How an open-API request is signed (the issue: "app id, key id, nonce, time, MD5 sign"; the seed shows none of it).
 * hilfarm's reading, after the vendor's open API: the headers `Appid`, `Keyid`, `Nonce`, `Time` (milliseconds) and,
 * once the caller has one, `Accesstoken`, sorted by name and spliced `accesstoken=..&appid=..&keyid=..&nonce=..&time=..`
 * (no `accesstoken` pair when there is none), the app key appended directly, all lowercased; `Sign` is the lowercase
 * hex MD5 of that.
 */

export interface OpenApiSignedHeaders {
  accesstoken?: string;
  appid: string;
  keyid: string;
  nonce: string;
  time: string;
}

export function openApiSignString(headers: OpenApiSignedHeaders, appKey: string): string {
  const pairs = (["accesstoken", "appid", "keyid", "nonce", "time"] as const)
    .filter((name) => headers[name] !== undefined && headers[name] !== "")
    .map((name) => `${name}=${headers[name]}`);
  return `${pairs.join("&")}${appKey}`.toLowerCase();
}

export function signOpenApi(headers: OpenApiSignedHeaders, appKey: string): string {
  return createHash("md5").update(openApiSignString(headers, appKey), "utf8").digest("hex");
}

export function verifyOpenApiSign(headers: OpenApiSignedHeaders, sign: string, appKey: string): boolean {
  const expected = Buffer.from(signOpenApi(headers, appKey), "utf8");
  const given = Buffer.from(sign.toLowerCase(), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The headers a caller sends: `Appid`, `Keyid`, `Nonce`, `Time`, `Sign` (and `Accesstoken`). */
export function openApiHeaders(headers: OpenApiSignedHeaders, appKey: string): Record<string, string> {
  return {
    Appid: headers.appid,
    Keyid: headers.keyid,
    Nonce: headers.nonce,
    Time: headers.time,
    ...(headers.accesstoken === undefined ? {} : { Accesstoken: headers.accesstoken }),
    Sign: signOpenApi(headers, appKey),
  };
}
