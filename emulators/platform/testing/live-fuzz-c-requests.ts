import fc from "fast-check";
import { cInterfaces } from "../../../harness/protocol/c/interfaces.ts";
import { MAX_NOTIFY_BODY_BYTES } from "../c-notify/server.ts";

/**
 * Hostile traffic for the C11-C18 server (surface `c-notify`, 7.3.1): HTTPS requests with the test PKI's client
 * certificate (hostile JSON on its paths and others), raw bytes that are not TLS, and handshakes without a client
 * certificate. None of it carries a token or the platformKey: the fuzz has neither, so it cannot move the legitimate
 * third party's session.
 */

export type CNotifyFrame =
  | {
      kind: "https";
      method: string;
      path: string;
      body: Buffer;
      headers: Record<string, string>;
    }
  | { kind: "raw"; bytes: Buffer }
  | { kind: "no-cert"; path: string };

/** The paths of C11-C18 (7.3.1.1-7.3.1.8). */
export const notifyPaths: readonly string[] = Object.values(cInterfaces)
  .filter((i) => i.side === "smart-home")
  .map((i) => i.path);

const SEQ = "202601011200000001";

/** Tokens the platform never issued: empty, the wrong type, the shape of one, huge. */
const tokens = fc.oneof(
  fc.constantFrom("", "0".repeat(32), "null", "__proto__", "x".repeat(70_000), "\u0000", "\ud800"),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 16, maxLength: 64 }),
  fc.constantFrom<unknown>(null, 0, 1e308, true, [], {}, JSON.parse('{"__proto__":{"admin":true}}'), [
    "token",
  ]),
);

/** Fields of C11-C18 bodies with values of every wrong type. */
const wrongValue = fc.constantFrom<unknown>(
  null,
  0,
  -1,
  1e308,
  "",
  "1",
  "2",
  "x".repeat(5000),
  [],
  {},
  [[[[]]]],
  JSON.parse('{"__proto__":null}'),
  "\ud800",
  "20260101120000000",
  "99991399256199999999",
);
const fieldNames = fc.constantFrom(
  "access_token",
  "sequenceNo",
  "platformId",
  "platformKey",
  "deviceSN",
  "deviceType",
  "gwId",
  "online",
  "status",
  "resource",
  "event",
  "serialId",
  "name",
  "value",
  "resInfo",
  "mode",
  "__proto__",
  "constructor",
  "prototype",
);

/** A body of interface shape with hostile values; `keepSN` is the legitimate device the fuzz must not move. */
function objectBodies(keepSN: string, maxDepth: number): fc.Arbitrary<string> {
  const depth = fc.integer({ min: 1, max: maxDepth });
  const near = fc.integer({ min: MAX_NOTIFY_BODY_BYTES - 200, max: MAX_NOTIFY_BODY_BYTES + 200 });
  return fc.oneof(
    fc
      .record({
        access_token: tokens,
        sequenceNo: fc.oneof(fc.constant(SEQ), wrongValue),
        deviceSN: fc.oneof(fc.constant(keepSN), fc.string({ maxLength: 40 }), wrongValue),
        deviceType: fc.oneof(fc.constant("CT-PLUG-01"), wrongValue),
        online: fc.oneof(fc.constantFrom("0", "1"), wrongValue),
        status: fc.oneof(fc.constant([{ serialId: "0", name: "POWER", value: "0" }]), wrongValue),
        extra: fc.dictionary(fieldNames, wrongValue, { maxKeys: 4 }),
      })
      .map(({ extra, ...body }) => JSON.stringify({ ...extra, ...body })),
    // C11 with the platform's id and every key but the right one.
    fc
      .tuple(fc.constantFrom("hilfarm-fuzz-smart-home", "", "__proto__"), tokens)
      .map(([platformId, platformKey]) => JSON.stringify({ platformId, platformKey, sequenceNo: SEQ })),
    depth.map((n) => "[".repeat(n) + "]".repeat(n)),
    depth.map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
    depth.map((n) => `{"access_token":"t","sequenceNo":"${SEQ}","status":${"[".repeat(n)}${"]".repeat(n)}}`),
    // Huge strings near the 1 MiB limit, on either side of it.
    near.map((n) => `{"deviceSN":"${"x".repeat(Math.max(0, n - 16))}"}`),
    near.map((n) => `{"access_token":"${"t".repeat(Math.max(0, n - 20))}"}`),
    fc.constantFrom(
      '{"__proto__":{"polluted":1},"access_token":"t"}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      `{"access_token":"t","sequenceNo":"${SEQ}","deviceSN":"${keepSN}","deviceType":"T","online":"0"}`,
      `{"deviceSN":"${keepSN}","online":"0","deviceType":"T","sequenceNo":"${SEQ}"}`,
      '{"deviceSN":"\\ud800\\udfff"}',
      "{",
      "",
      "null",
      "[]",
      "1e400",
      '"\\u0000"',
      "{}",
    ),
  );
}

/** Bodies: JSON above, invalid UTF-8 inside a string, binary. */
function bodies(keepSN: string, maxDepth: number): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: objectBodies(keepSN, maxDepth).map((text) => Buffer.from(text)) },
    fc.constant(
      Buffer.concat([
        Buffer.from('{"access_token":"'),
        Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
        Buffer.from(`","sequenceNo":"${SEQ}"}`),
      ]),
    ),
    fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
  );
}

const paths = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...notifyPaths) },
  fc.constantFrom(
    "/",
    "/notify",
    "/notify/",
    "/notify/token/",
    "/notify//device/status",
    "/NOTIFY/TOKEN",
    "/notify/device/status?access_token=x",
    "/notify/%00",
    "/notify/..%2F..%2Fetc%2Fpasswd",
    "/token",
    "/device/control",
    `/notify/${"x".repeat(8000)}`,
  ),
);

/** Hostile traffic for the C11-C18 server: mostly HTTPS requests, some raw bytes and handshakes without a certificate. */
export function hostileCNotify(keepSN: string, maxDepth: number): fc.Arbitrary<CNotifyFrame> {
  const https = fc
    .record({
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constant("POST") },
        fc.constantFrom("GET", "PUT", "DELETE"),
      ),
      path: paths,
      body: bodies(keepSN, maxDepth),
      contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", ""),
      // A declared length over the limit, for a small body: refused before it is read.
      lie: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    })
    .map(({ method, path, body, contentType, lie }) => ({
      kind: "https" as const,
      method,
      path,
      body,
      headers: {
        ...(contentType === "" ? {} : { "content-type": contentType }),
        ...(lie ? { "content-length": String(MAX_NOTIFY_BODY_BYTES * 4) } : {}),
      },
    }));
  const raw = fc
    .oneof(
      fc.constantFrom(
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        `POST /notify/token HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`,
        "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",
        "\x16\x03\x03\xff\xff",
        "\x80\x80\x01\x03\x01",
        "",
      ),
      fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => Buffer.from(b).toString("latin1")),
    )
    .map((text) => ({ kind: "raw" as const, bytes: Buffer.from(text, "latin1") }));
  const noCert = fc.constantFrom(...notifyPaths).map((path) => ({ kind: "no-cert" as const, path }));
  return fc.oneof(
    { weight: 8, arbitrary: https },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: noCert },
  );
}
