import fc from "fast-check";
import { MAX_PUSH_BODY_BYTES } from "../receiver-server.ts";

/**
 * Hostile traffic for a message-push receiver (000_0e61b4fd1fe27231.txt: the cloud POSTs `{token, data}` with the
 * headers `time`, `nonce`, `appkey`, `sign`). `signing` says how each request is signed when it is sent:
 * - `none`, `garbage`: no or made-up `time`/`nonce`/`appkey`/`sign` headers;
 * - `forged`: a true push's headers with `appkey` or `sign` made up, or signed with a wrong secret;
 * - `stale`: a true signature over a `time` an hour off;
 * - `reused`: a true signature over a nonce sent again and again (the first may pass, no other);
 * - `replayed`: the legitimate sender's last push, headers and body, sent again (never passes);
 * - `signed`: a true signature with a fresh nonce, so the body reaches the receiver's body checks;
 * - `raw`: bytes straight onto a TCP connection (broken request lines, headers, chunking, bodies cut short).
 * A request passes (the documented success) only when it is `signed` (or the first `reused`) with a body that is a
 * push: the fuzz judges that with the protocol module's schema.
 */

export type PushSigning = "none" | "garbage" | "forged" | "stale" | "reused" | "replayed" | "signed" | "raw";

export interface PushFuzzFrame {
  signing: PushSigning;
  method: string;
  /** Path and query, as on the request line; `"/"` is the receiver's path, others are odd. */
  target: string;
  body: Buffer;
  /** `garbage`: all of the push headers; `forged`: those over a true push's. */
  headers: Record<string, string>;
}

/** The nonce of every `reused` request. */
export const REUSED_PUSH_NONCE = "hilfarm-fuzz-reused-push-nonce";

const huge = "x".repeat(5000);
const wrong = fc.constantFrom<unknown>(null, 0, -1, 1e308, true, "", huge, [], {}, ["a"], { a: 1 }, "\ud800");
const oddKey = fc.constantFrom("__proto__", "constructor", "toString", "", "\u0000", "token ", "Token");

/** Hostile bodies: wrong `token`/`data` types, extra and prototype keys, deep nesting, huge strings, not JSON. */
export function pushBodies(maxDepth: number, maxBytes = MAX_PUSH_BODY_BYTES + 1024): fc.Arbitrary<Buffer> {
  const depth = fc.integer({ min: 1, max: maxDepth });
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom("", huge, "\ud800", "a,,b", ",", "null"),
  );
  const json = fc.oneof(
    { weight: 3, arbitrary: fc.record({ token: text, data: text }).map((o) => JSON.stringify(o)) },
    fc
      .record({ token: fc.oneof(text, wrong), data: fc.oneof(text, wrong) }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
    fc
      .tuple(oddKey, fc.oneof(text, wrong))
      .map(([k, v]) => `{"token":"a","data":"b",${JSON.stringify(k)}:${JSON.stringify(v)}}`),
    fc
      .tuple(text, depth)
      .map(([t, n]) => `{"token":${JSON.stringify(t)},"data":${"[".repeat(n)}${"]".repeat(n)}}`),
    fc
      .tuple(text, depth)
      .map(([t, n]) => `{"token":${JSON.stringify(t)},"data":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`),
    fc.integer({ min: 0, max: maxBytes }).map((n) => `{"token":"a","data":"${"x".repeat(n)}"}`),
    fc.constantFrom(
      '{"__proto__":{"token":"a","data":"b"}}',
      '{"token":"a","data":"b","constructor":{"prototype":{"polluted":1}}}',
      '{"token":{"toString":1},"data":"b"}',
      "{",
      "",
      "null",
      "[]",
      '"\\u0000"',
      '{"token":"a","data":"b"}{"token":"c","data":"d"}',
    ),
  );
  return fc.oneof(
    { weight: 5, arbitrary: json.map((j) => Buffer.from(j)) },
    fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
  );
}

const garbageHeaders = fc.record(
  {
    time: fc.constantFrom("", "0", "-1", "1e308", "NaN", "17000000000000000000", "abc", " 1", "9".repeat(16)),
    nonce: fc.oneof(fc.constantFrom("", huge, REUSED_PUSH_NONCE), fc.string({ maxLength: 40 })),
    appkey: fc.oneof(fc.constantFrom("", "__proto__", huge), fc.string({ maxLength: 40 })),
    sign: fc.oneof(fc.constantFrom("", "0".repeat(32), huge), fc.string({ maxLength: 64 })),
  },
  { requiredKeys: [] },
);

const forgedHeaders = fc.oneof(
  fc.record({ appkey: fc.constantFrom("no-such-key", "__proto__", "", huge) }),
  fc.record({ sign: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom("", "0".repeat(31))) }),
  fc.record({ sign: fc.constantFrom("WRONG-SECRET") }),
);

const targets = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ method: "POST", target: "/" }) },
  fc.constantFrom(
    { method: "GET", target: "/" },
    { method: "PUT", target: "/" },
    { method: "POST", target: "/?token=a" },
    { method: "POST", target: "//" },
    { method: "POST", target: "/%ZZ" },
    { method: "POST", target: "/push/../" },
    { method: "DELETE", target: `/${"a".repeat(3000)}` },
  ),
);

/** Bytes for a raw connection: broken HTTP, or a push whose body stops short of its length. */
const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc
    .constantFrom(
      'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"token":',
      "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello",
      `POST / HTTP/1.1\r\nhost: x\r\ntime: ${"9".repeat(20_000)}\r\n\r\n`,
      "POST / HTTP/9.9\r\n\r\n",
      "\r\n\r\n\r\n",
    )
    .map((s) => Buffer.from(s, "latin1")),
);

/** Hostile requests to a push receiver and around it. */
export function hostilePushRequests(maxDepth: number): fc.Arbitrary<PushFuzzFrame> {
  return fc
    .record({
      signing: fc.constantFrom<PushSigning>(
        "none",
        "garbage",
        "forged",
        "stale",
        "reused",
        "replayed",
        "signed",
        "signed",
        "signed",
        "raw",
      ),
      request: targets,
      body: pushBodies(maxDepth),
      raw: rawBytes,
      garbage: garbageHeaders,
      forged: forgedHeaders,
    })
    .map(({ signing, request, body, raw, garbage, forged }) => ({
      signing,
      method: request.method,
      target: request.target,
      body: signing === "raw" ? raw : body,
      headers:
        signing === "garbage"
          ? (garbage as Record<string, string>)
          : signing === "forged"
            ? (forged as Record<string, string>)
            : {},
    }));
}
