import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalUrl,
  contentHash,
  isTokenPath,
  legacySign,
  sign,
  signRequest,
  stringToSign,
} from "./signing.ts";
import { DEFAULT_T_TOLERANCE_MS, type ReceivedRequest, verifySignature } from "./verify.ts";

const CLIENT = "hf4x9c7kq2m8d1wz0a3b";
const SECRET = "0123456789abcdef0123456789ABCDEF";
const TOKEN = "3f2a9c0d8e7b6a5f4e3d2c1b0a998877";
const T = 1_700_000_000_123;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const hmac = (text: string) => createHmac("sha256", SECRET).update(text).digest("hex").toUpperCase();

function signed(
  method: string,
  target: string,
  body: string,
  extra: Record<string, string> = {},
): ReceivedRequest {
  const headers = signRequest({
    clientId: CLIENT,
    secret: SECRET,
    accessToken: TOKEN,
    t: T,
    method,
    target,
    body,
  });
  return { method, target, body, headers: { ...headers, ...extra } };
}

describe("the string to sign (vendor's signing rule, SDK 2.1.2 getSignHeaders)", () => {
  it("is METHOD, the body's SHA-256, the headers block and the sorted, decoded URL, one per line", () => {
    expect(contentHash("")).toBe(EMPTY_SHA256);
    expect(stringToSign({ method: "GET", target: "/v1.0/token?grant_type=1" })).toBe(
      `GET\n${EMPTY_SHA256}\n\n/v1.0/token?grant_type=1`,
    );
    const body = '{"name":"n"}';
    expect(
      stringToSign({
        method: "POST",
        target: "/v1.0/devices/d1/door-lock/open-logs?page_size=10&page_no=1&end_time=2",
        body,
        signedHeaders: [
          ["area_id", "29a33e8796834b1efa6"],
          ["call_id", "8afdb70ab2ed11eb85290242ac130003"],
        ],
      }),
    ).toBe(
      [
        "POST",
        createHash("sha256").update(body).digest("hex"),
        "area_id:29a33e8796834b1efa6\ncall_id:8afdb70ab2ed11eb85290242ac130003\n",
        "/v1.0/devices/d1/door-lock/open-logs?end_time=2&page_no=1&page_size=10",
      ].join("\n"),
    );
  });

  it("sorts query pairs by decoded name, keeps equal names in order, decodes names, values and path", () => {
    expect(canonicalUrl("/a%20b?z=1&a=%E9%94%81&m&a=0&=e")).toEqual({
      ok: true,
      value: "/a b?=e&a=锁&a=0&m&z=1",
    });
    expect(canonicalUrl("/p?")).toEqual({ ok: true, value: "/p" });
    expect(canonicalUrl("/p?a=1&&b=2&")).toEqual({ ok: true, value: "/p?a=1&b=2" });
    expect(canonicalUrl("/p?a=%E9%94")).toMatchObject({
      ok: false,
      error: { code: "uriPathInvalid", apiCode: 1108 },
    });
  });

  it("signs client_id + access_token + t + nonce + the string; the token calls without the token", () => {
    const business = { clientId: CLIENT, secret: SECRET, accessToken: TOKEN, t: T, nonce: "n1" };
    const target = "/v1.0/devices/d1/door-lock/temp-passwords?valid=true";
    expect(sign({ ...business, method: "GET", target, body: "{}" })).toBe(
      hmac(`${CLIENT}${TOKEN}${T}n1${stringToSign({ method: "GET", target, body: "{}" })}`),
    );
    for (const token of ["/v1.0/token?grant_type=1", "/v1.0/token/abc"]) {
      expect(isTokenPath(token)).toBe(true);
      expect(sign({ ...business, method: "GET", target: token })).toBe(
        hmac(`${CLIENT}${T}n1${stringToSign({ method: "GET", target: token })}`),
      );
    }
    expect(isTokenPath("/v1.0/tokens")).toBe(false);
    expect(legacySign({ clientId: CLIENT, secret: SECRET, t: T, target: "/v1.0/token/abc" })).toBe(
      hmac(`${CLIENT}${T}`),
    );
  });

  it("signRequest gives the headers to send, uppercase hex", () => {
    const headers = signRequest({
      clientId: CLIENT,
      secret: SECRET,
      accessToken: TOKEN,
      t: T,
      method: "POST",
      target: "/v1.0/devices/d1/door-lock/password-ticket",
      body: "{}",
      signedHeaders: [["area_id", "x"]],
    });
    expect(headers).toMatchObject({
      client_id: CLIENT,
      t: String(T),
      sign_method: "HMAC-SHA256",
      access_token: TOKEN,
    });
    expect(headers["Signature-Headers"]).toBe("area_id");
    expect(headers.sign).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe("verifySignature", () => {
  it("accepts what signRequest signed, naming the client, token, t and algorithm", () => {
    const request = signed("POST", "/v1.0/devices/d1/door-lock/temp-password?b=2&a=1", '{"name":"x"}');
    expect(verifySignature(request, SECRET, T)).toEqual({
      ok: true,
      value: { clientId: CLIENT, accessToken: TOKEN, t: T, nonce: "", algorithm: "hmac-sha256" },
    });
    expect(verifySignature(request, (id) => (id === CLIENT ? SECRET : undefined), T).ok).toBe(true);
  });

  it("accepts the query in any order and any percent-encoding of the same text", () => {
    const request = signed("GET", "/v1.0/devices/d1/door-lock/open-logs?page_no=1&page_size=20", "{}");
    for (const target of [
      "/v1.0/devices/d1/door-lock/open-logs?page_size=20&page_no=1",
      "/v1.0/devices/d1/door-lock/open-logs?page%5Fno=1&page_size=%32%30",
    ])
      expect(verifySignature({ ...request, target }, SECRET, T).ok).toBe(true);
  });

  it("names the missing header (1105), the unknown client (1005), a bad sign or sign_method (1004)", () => {
    const request = signed("GET", "/v1.0/devices/d1", "{}");
    for (const name of ["client_id", "t", "sign", "sign_method"]) {
      const headers = { ...request.headers, [name]: undefined };
      expect(verifySignature({ ...request, headers }, SECRET, T)).toMatchObject({
        ok: false,
        error: { check: "missing-header", code: "headerMissing", apiCode: 1105, field: name },
      });
    }
    const listed = { ...request, headers: { ...request.headers, "Signature-Headers": "area_id" } };
    expect(verifySignature(listed, SECRET, T)).toMatchObject({
      ok: false,
      error: { field: "area_id", apiCode: 1105 },
    });
    expect(verifySignature(request, () => undefined, T)).toMatchObject({
      ok: false,
      error: { check: "unknown-client", code: "clientIdInvalid", apiCode: 1005, field: "client_id" },
    });
    const wrong = verifySignature(request, "another-secret-another-secret-32", T);
    expect(wrong).toMatchObject({
      ok: false,
      error: { check: "bad-sign", code: "signInvalid", apiCode: 1004 },
    });
    if (!wrong.ok) expect(wrong.error.message).not.toContain(String(request.headers.sign));
    const md5 = { ...request, headers: { ...request.headers, sign_method: "MD5" } };
    expect(verifySignature(md5, SECRET, T)).toMatchObject({
      ok: false,
      error: { field: "sign_method", apiCode: 1004 },
    });
  });

  it("reads header names in any case, as Node lower-cases them", () => {
    const request = signed("GET", "/v1.0/devices/d1", "{}");
    const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifySignature({ ...request, headers: lower }, SECRET, T).ok).toBe(true);
  });

  it("accepts t on both edges of the window and refuses it one millisecond beyond either (1013)", () => {
    const request = signed("GET", "/v1.0/devices/d1", "{}");
    for (const tolerance of [DEFAULT_T_TOLERANCE_MS, 1000]) {
      const options = { toleranceMs: tolerance };
      expect(verifySignature(request, SECRET, T + tolerance, options).ok).toBe(true);
      expect(verifySignature(request, SECRET, T - tolerance, options).ok).toBe(true);
      for (const now of [T + tolerance + 1, T - tolerance - 1])
        expect(verifySignature(request, SECRET, now, options)).toMatchObject({
          ok: false,
          error: {
            check: "stale-t",
            code: "requestTimeInvalid",
            apiCode: 1013,
            field: "t",
            value: String(T),
          },
        });
    }
    expect(DEFAULT_T_TOLERANCE_MS).toBe(300_000);
  });

  it("property: t within the window passes, beyond it fails, on either side", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 600_000 }),
        (d, ahead, tol) => {
          const request = signed("GET", "/v1.0/devices/d1", "{}");
          const now = ahead ? T + d : T - d;
          const checked = verifySignature(request, SECRET, now, { toleranceMs: tol });
          if (d <= tol) expect(checked.ok).toBe(true);
          else expect(checked).toMatchObject({ ok: false, error: { check: "stale-t" } });
        },
      ),
    );
  });

  it("accepts the legacy signature on the token calls by default, everywhere with legacy: always, nowhere with never", () => {
    const legacy = (target: string) => ({
      method: "GET",
      target,
      body: "",
      headers: {
        client_id: CLIENT,
        t: String(T),
        sign_method: "HMAC-SHA256",
        access_token: TOKEN,
        sign: legacySign({ clientId: CLIENT, secret: SECRET, accessToken: TOKEN, t: T, target }),
      },
    });
    const refresh = legacy("/v1.0/token/r1");
    expect(verifySignature(refresh, SECRET, T)).toMatchObject({
      ok: true,
      value: { algorithm: "legacy", accessToken: "" },
    });
    expect(verifySignature(refresh, SECRET, T, { legacy: "never" })).toMatchObject({
      ok: false,
      error: { check: "bad-sign" },
    });
    const business = legacy("/v1.0/devices/d1");
    expect(verifySignature(business, SECRET, T)).toMatchObject({ ok: false, error: { check: "bad-sign" } });
    expect(verifySignature(business, SECRET, T, { legacy: "always" })).toMatchObject({
      ok: true,
      value: { algorithm: "legacy", accessToken: TOKEN },
    });
  });
});
