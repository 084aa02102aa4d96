import fc from "fast-check";
import { AQARA_INTENTS } from "../aqara/intents.ts";
import { AQARA_API_PATH, MAX_AQARA_BODY_BYTES } from "../aqara/server.ts";
import { FUZZ_AQARA } from "./live-fuzz-targets.ts";

/**
 * Hostile traffic for the Aqara-style open API (surface `aqara`): `POST /v3.0/open/api` and other paths and methods,
 * hostile `{intent, data}` bodies and headers. `signing` says how each request is signed when it is sent:
 * - `none`, `garbage`: no or made-up `Appid`/`Keyid`/`Nonce`/`Time`/`Sign`/`Accesstoken` headers;
 * - `forged`: the fuzz app's signed headers with `Appid`, `Keyid`, `Sign` or `Accesstoken` made up (the legitimate
 *   app's id among them), so that the app, key and sign checks are reached;
 * - `stale`: the fuzz app's true signature over a `Time` an hour off;
 * - `reused`: the fuzz app's true signature over a nonce it sends again and again;
 * - `fuzz`: the fuzz app's true signature with a fresh nonce, so the body reaches the intents. `token` says which
 *   `Accesstoken` it carries: none, the fuzz app's own (from its UI-SDK initialization) or one never issued.
 * The fuzz never holds the legitimate app's key or token: it cannot move that app's session.
 */

export type AqaraSigning = "none" | "garbage" | "forged" | "stale" | "reused" | "fuzz";
export type AqaraTokenUse = "none" | "own" | "never-issued";

export interface AqaraFrame {
  signing: AqaraSigning;
  token: AqaraTokenUse;
  method: string;
  /** Path and query, as on the request line. */
  target: string;
  body: Buffer;
  /** `garbage`: all of the signing headers; `forged`: those over the fuzz app's signed ones. */
  headers: Record<string, string>;
}

/** The nonce of every `reused` request: the first one passes, the rest are 904. */
export const REUSED_NONCE = "hilfarm-fuzz-reused-nonce";

const huge = "x".repeat(5000);

const odd = fc.constantFrom(
  "__proto__",
  "constructor",
  "toString",
  "",
  " ",
  "\u0000",
  "\ud800",
  "%F0%9F%98%80",
  huge,
);

const intent = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Object.values(AQARA_INTENTS)) },
  odd,
  fc.string({ maxLength: 40 }),
);

const wrong = fc.constantFrom<unknown>(null, 0, -1, 1e308, true, "", huge, [], {}, ["a"], { a: 1 }, "\ud800");

/** Tokens that were never issued: of the right shape and not. */
const neverIssued = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.constantFrom("", "null", "0".repeat(32), huge, "__proto__"),
);

/** The `data` of an intent: its fields with wrong values, prototype keys, tokens never issued. */
const data = fc.oneof(
  fc.dictionary(
    fc.constantFrom("token", "dids", "userId", "positionId", "__proto__", "constructor", "pageNum"),
    fc.oneof(wrong, neverIssued),
    { maxKeys: 5 },
  ),
  fc.record({ token: neverIssued }),
  fc.record({ dids: fc.array(fc.oneof(fc.string({ maxLength: 30 }), wrong), { maxLength: 200 }) }),
);

/** Hostile bodies: `intent` of every type, deep `data`, huge strings, prototype keys, not JSON. */
export function aqaraBodies(maxDepth: number, maxBytes = MAX_AQARA_BODY_BYTES + 1024): fc.Arbitrary<Buffer> {
  const depth = fc.integer({ min: 1, max: maxDepth });
  const json = fc.oneof(
    { weight: 4, arbitrary: fc.record({ intent, data }).map((o) => JSON.stringify(o)) },
    fc.record({ intent: wrong, data: fc.oneof(data, wrong) }).map((o) => JSON.stringify(o)),
    fc
      .tuple(intent, depth)
      .map(([i, n]) => `{"intent":${JSON.stringify(i)},"data":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`),
    fc
      .tuple(intent, depth)
      .map(([i, n]) => `{"intent":${JSON.stringify(i)},"data":{"dids":${"[".repeat(n)}${"]".repeat(n)}}}`),
    fc
      .tuple(intent, fc.integer({ min: 0, max: maxBytes }))
      .map(([i, n]) => `{"intent":${JSON.stringify(i)},"data":{"token":"${"x".repeat(n)}"}}`),
    fc.constantFrom(
      '{"__proto__":{"intent":"query.appsdk.initparams"}}',
      '{"intent":"query.device.info","data":{"__proto__":{"dids":["x"]}}}',
      '{"intent":"query.device.info","constructor":{"prototype":{"polluted":1}}}',
      '{"intent":"notify.appsdk.tokenexpired","data":{"token":{"toString":1}}}',
      '{"intent":"__proto__"}',
      '{"intent":["query.appsdk.initparams"]}',
      "{",
      "",
      "null",
      "[]",
      '"\\u0000"',
    ),
  );
  return fc.oneof(
    { weight: 5, arbitrary: json.map((j) => Buffer.from(j)) },
    fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
  );
}

const garbageHeaders = fc.record(
  {
    Appid: fc.oneof(
      fc.constantFrom("", "__proto__", "constructor", huge, FUZZ_AQARA.legit.appId),
      fc.string({ maxLength: 40 }),
    ),
    Keyid: fc.oneof(fc.constantFrom("", "__proto__", huge), fc.string({ maxLength: 40 })),
    Nonce: fc.oneof(fc.constantFrom("", huge, REUSED_NONCE), fc.string({ maxLength: 40 })),
    Time: fc.constantFrom("", "0", "-1", "1e308", "NaN", "17000000000000000000", "abc", " 1", "9".repeat(16)),
    Sign: fc.oneof(fc.constantFrom("", "0".repeat(32), huge), fc.string({ maxLength: 64 })),
    Accesstoken: fc.oneof(fc.constantFrom("", "null", huge), fc.string({ maxLength: 64 })),
  },
  { requiredKeys: [] },
);

const targets = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ method: "POST", target: AQARA_API_PATH }) },
  fc.constantFrom(
    { method: "GET", target: AQARA_API_PATH },
    { method: "PUT", target: AQARA_API_PATH },
    { method: "POST", target: `${AQARA_API_PATH}?intent=query.appsdk.initparams` },
    { method: "POST", target: "/v3.0/open/api/" },
    { method: "POST", target: "/v3.0/open/%ZZ" },
    { method: "POST", target: "//v3.0/open/api" },
    { method: "POST", target: "/" },
    { method: "GET", target: "/h5/" },
    { method: "DELETE", target: `/${"a".repeat(3000)}` },
  ),
);

const forgedHeaders = fc.oneof(
  fc.record({ Appid: fc.constantFrom(FUZZ_AQARA.legit.appId, "no-such-app", "__proto__") }),
  fc.record({ Keyid: fc.constantFrom("k2", "__proto__", "") }),
  fc.record({ Sign: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom("", "0".repeat(31))) }),
  fc.record({ Accesstoken: fc.stringMatching(/^[0-9a-f]{32}$/) }),
);

/** Hostile requests to the open API and around it. */
export function hostileAqaraRequests(maxDepth: number): fc.Arbitrary<AqaraFrame> {
  return fc
    .record({
      signing: fc.constantFrom<AqaraSigning>(
        "none",
        "garbage",
        "forged",
        "stale",
        "reused",
        "fuzz",
        "fuzz",
        "fuzz",
      ),
      token: fc.constantFrom<AqaraTokenUse>("none", "own", "own", "never-issued"),
      request: targets,
      body: aqaraBodies(maxDepth),
      garbage: garbageHeaders,
      forged: forgedHeaders,
    })
    .map(({ signing, token, request, body, garbage, forged }) => ({
      signing,
      token,
      method: request.method,
      target: request.target,
      body,
      headers:
        signing === "garbage"
          ? (garbage as Record<string, string>)
          : signing === "forged"
            ? (forged as Record<string, string>)
            : {},
    }));
}
