import fc from "fast-check";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { MAX_LOCK_API_BODY_BYTES } from "../lock-api/server.ts";

/**
 * Hostile traffic for the smart-lock open API (surface `lock-api`): the catalogue's paths with odd ids and queries,
 * hostile JSON bodies and headers. `signing` says how each request is signed when it is sent:
 * - `none`, `garbage`: no or made-up `client_id`/`sign`/`t`/`access_token` headers;
 * - `stale`: the fuzz client's true signature over a `t` an hour off;
 * - `fuzz`: the fuzz client's true signature and its own token, so the body reaches the endpoint's checks and
 *   handler. The fuzz never holds the legitimate client's secret or token: it cannot move that client's session.
 */

export type LockSigning = "none" | "garbage" | "stale" | "fuzz";

export interface LockFrame {
  signing: LockSigning;
  method: string;
  /** Path and query, as on the request line. */
  target: string;
  body: Buffer;
  /** Extra or overriding headers (`garbage`: all of the signing headers). */
  headers: Record<string, string>;
}

const templates = Object.values(lockEndpoints).map((e) => ({ method: e.method, path: e.path }));

const odd = fc.constantFrom(
  "__proto__",
  "constructor",
  "%00",
  "..%2F..%2Fetc",
  "%F0%9F%98%80",
  "%ED%A0%80",
  "-1",
  "1e400",
  "99999999999999999999",
  "x".repeat(3000),
);

/** The catalogue's paths with their placeholders filled: a device of the platform, or something odd. */
function lockTargets(deviceIds: readonly string[]): fc.Arbitrary<{ method: string; target: string }> {
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...deviceIds) },
    odd,
    fc.string({ maxLength: 40 }),
  );
  const value = fc.oneof(fc.constantFrom("1", "0", "1001", "unlock_fingerprint", "admin", ""), odd);
  const query = fc
    .dictionary(
      fc.constantFrom(
        "page_no",
        "page_size",
        "start_time",
        "end_time",
        "valid",
        "codes",
        "advanced_type",
        "__proto__",
      ),
      value,
      { maxKeys: 4 },
    )
    .map((q) => {
      const text = Object.entries(q)
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join("&");
      return text === "" ? "" : `?${text}`;
    });
  const filled = fc.tuple(fc.constantFrom(...templates), id, value, query).map(([t, device, other, q]) => ({
    method: t.method,
    target: `${t.path.replace("{device_id}", encodeURIComponent(device)).replace(/\{[a-z_]+\}/g, encodeURIComponent(other))}${q}`,
  }));
  return fc.oneof(
    { weight: 6, arbitrary: filled },
    fc.constantFrom(
      { method: "GET", target: "/v1.0/token?grant_type=1" },
      { method: "GET", target: "/v1.0/token?grant_type=2" },
      { method: "GET", target: "/v1.0/token/0000" },
      { method: "GET", target: "/v1.0/token/%ZZ" },
      { method: "GET", target: "/" },
      { method: "PATCH", target: "/v1.0/devices/x" },
      { method: "GET", target: "//v1.0//devices" },
    ),
  );
}

/**
 * Hostile bodies for lock-API requests: the endpoints' fields with wrong values, deep nesting, long strings up to
 * `maxBytes`, prototype keys, not JSON.
 */
export function lockBodies(
  maxDepth: number,
  maxBytes = MAX_LOCK_API_BODY_BYTES + 1024,
): fc.Arbitrary<Buffer> {
  const depth = fc.integer({ min: 1, max: maxDepth });
  const wrong = fc.constantFrom<unknown>(
    null,
    0,
    -1,
    1e308,
    "",
    "x".repeat(5000),
    [],
    {},
    "\ud800",
    true,
    "1",
  );
  const field = fc.constantFrom(
    "password",
    "password_type",
    "ticket_id",
    "effective_time",
    "invalid_time",
    "type",
    "name",
    "schedule_list",
    "time_zone",
    "nick_name",
    "user_id",
    "unlock_sn",
    "role",
    "open",
    "remote_unlock_type",
    "advanced_type",
    "__proto__",
  );
  const json = fc.oneof(
    fc.dictionary(field, wrong, { maxKeys: 8 }).map((o) => JSON.stringify(o)),
    depth.map((n) => `{"schedule_list":${"[".repeat(n)}${"]".repeat(n)}}`),
    depth.map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
    fc.integer({ min: 0, max: maxBytes }).map((n) => `{"name":"${"x".repeat(n)}"}`),
    fc.constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"password":"zz","password_type":"ticket","ticket_id":"nope","effective_time":1,"invalid_time":2}',
      '{"effective_time":1e400,"invalid_time":-1e400}',
      "{",
      "",
      "null",
      '"\\u0000"',
    ),
  );
  return fc.oneof(
    { weight: 4, arbitrary: json.map((j) => Buffer.from(j)) },
    fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
  );
}

const garbageHeaders = fc.record(
  {
    client_id: fc.oneof(fc.constantFrom("", "__proto__", "x".repeat(5000)), fc.string({ maxLength: 40 })),
    sign: fc.oneof(fc.constantFrom("", "0".repeat(64)), fc.string({ maxLength: 80 })),
    t: fc.constantFrom("", "0", "-1", "1e308", "NaN", "17000000000000000000", "abc"),
    sign_method: fc.constantFrom("HMAC-SHA256", "MD5", "", "none"),
    access_token: fc.oneof(fc.constantFrom("", "null"), fc.string({ maxLength: 64 })),
    "Signature-Headers": fc.constantFrom("", "a:b:c", "client_id", ":".repeat(200)),
  },
  { requiredKeys: [] },
);

/** Hostile lock-API requests about `deviceIds` (devices of the platform) and anything else. */
export function hostileLockRequests(deviceIds: readonly string[], maxDepth: number): fc.Arbitrary<LockFrame> {
  return fc
    .record({
      signing: fc.constantFrom<LockSigning>("none", "garbage", "stale", "fuzz", "fuzz", "fuzz"),
      request: lockTargets(deviceIds),
      body: lockBodies(maxDepth),
      garbage: garbageHeaders,
    })
    .map(({ signing, request, body, garbage }) => ({
      signing,
      method: request.method,
      target: request.target,
      body,
      headers: signing === "garbage" ? (garbage as Record<string, string>) : {},
    }));
}
