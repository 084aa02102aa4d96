import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { excerpt, showValue, WireError } from "../../errors.ts";
import { type Framing, framings } from "../cts/envelope.ts";
import { FrameSplitter } from "../cts/frame-splitter.ts";
import { MAX_JSON_DEPTH, parseJsonSafely } from "../json-safe.ts";
import { decodeFrameLine, openEnvelope } from "./codec.ts";
import { type Envelope, parseEnvelope } from "./envelope.ts";
import { McStreamDecoder } from "./stream-decoder.ts";
import {
  decoderCaptured as captured,
  DECODER_DEVICE as DEVICE,
  documentedCodes,
  decoderKeyFor as keyFor,
  decoderPinKey as pinKey,
  decoderSessionKey as sessionKey,
} from "./testing/hostile/decoder-target.ts";
import { chunked, codePoints, hostileFrames } from "./testing/hostile/index.ts";

/**
 * Decoder fuzz: hostile frames from `testing/hostile/` against every decoder of the Mc
 * core. Whatever the bytes, a decoder returns a value or a typed `WireError` whose code is documented; it never
 * throws (a throw on a socket handler stops a process). The long run is `npm run fuzz` (bench/fuzz.ts).
 */

// A smaller frame limit than the default keeps the short run short; `npm run fuzz` uses the default.
const MAX = 8 * 1024;
const frames = hostileFrames({ keys: [DEVICE], captured, maxFrameLength: MAX, maxDepth: 6000 });
const framing = fc.constantFrom<Framing>(...framings);
/** A frame's line as a decoder of lines sees it: without its CRLF. */
const lineOf = (bytes: Buffer) => (bytes.subarray(-2).toString() === "\r\n" ? bytes.subarray(0, -2) : bytes);

function expectTyped(result: { ok: true } | { ok: false; error: unknown }): void {
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(WireError);
  expect(documentedCodes).toContain((result.error as WireError).code);
}

describe("decoders under hostile frames never throw and answer with documented error codes", () => {
  it("parseEnvelope", () => {
    fc.assert(
      fc.property(frames, framing, (frame, f) => {
        expectTyped(parseEnvelope(lineOf(frame.bytes), f));
      }),
      { numRuns: 400 },
    );
  });

  it("decodeFrameLine (the platform's key resolver: bodies reach decryption and the schema checks)", () => {
    fc.assert(
      fc.property(frames, framing, (frame, f) => {
        expectTyped(decodeFrameLine(lineOf(frame.bytes), keyFor, f));
      }),
      { numRuns: 400 },
    );
  });

  it("openEnvelope, with any data and either key", () => {
    const data = fc.oneof(
      frames.map((f) => f.bytes.toString("latin1")),
      fc.base64String({ maxLength: 512 }),
      fc.string({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(data, fc.constantFrom(1000, 1002, 2006, 3002), fc.boolean(), (d, code, pin) => {
        expectTyped(openEnvelope({ code, data: d } as Envelope, pin ? pinKey : sessionKey));
      }),
      { numRuns: 300 },
    );
    // Bodies that did decrypt: openEnvelope on the envelopes the hostile frames carry.
    fc.assert(
      fc.property(frames, (frame) => {
        const envelope = parseEnvelope(lineOf(frame.bytes));
        if (!envelope.ok) return;
        const key = keyFor(envelope.value);
        if (key !== undefined) expectTyped(openEnvelope(envelope.value, key));
      }),
      { numRuns: 300 },
    );
  });

  it("McStreamDecoder.push, a stream of hostile frames in arbitrary chunks: typed outcomes, bounded buffer", () => {
    const stream = fc.array(frames, { minLength: 1, maxLength: 6 }).chain((list) =>
      chunked(Buffer.concat(list.map((f) => f.bytes))).map((chunks) => ({
        kinds: list.map((f) => f.kind),
        chunks,
      })),
    );
    fc.assert(
      fc.property(stream, framing, ({ chunks }, f) => {
        const decoder = new McStreamDecoder({ keyFor, framing: f, maxFrameLength: MAX });
        for (const chunk of chunks) {
          for (const outcome of decoder.push(chunk)) {
            expectTyped(outcome);
            if (outcome.raw !== undefined) expect(outcome.raw.length).toBeLessThanOrEqual(MAX);
          }
          expect(decoder.buffered).toBeLessThanOrEqual(MAX + 1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("FrameSplitter: lines within the limit, FRAME_TOO_LONG otherwise, never more buffered than the limit", () => {
    const bytes = fc.oneof(
      frames.map((f) => f.bytes),
      fc.uint8Array({ maxLength: 3 * MAX }).map((b) => Buffer.from(b)),
      fc
        .array(fc.constantFrom("\r", "\n", "\r\n", "x", "CTS{}"), { maxLength: 200 })
        .map((parts) => Buffer.from(parts.join(""))),
    );
    fc.assert(
      fc.property(
        bytes.chain((b) => chunked(b)),
        (chunks) => {
          const splitter = new FrameSplitter(MAX);
          for (const chunk of chunks) {
            for (const out of splitter.push(chunk)) {
              if (out.ok) {
                expect(out.line.length).toBeGreaterThan(0);
                expect(out.line.length).toBeLessThanOrEqual(MAX);
              } else expect(out.error.code).toBe("FRAME_TOO_LONG");
            }
            expect(splitter.buffered).toBeLessThanOrEqual(MAX + 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("parseJsonSafely: a value or a reason, and nesting past MAX_JSON_DEPTH refused as too deep", () => {
    const text = fc.oneof(
      frames.map((f) => f.bytes.subarray(3).toString("utf8")),
      fc.json({ depthSize: "large" }),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseJsonSafely(t);
        if (!parsed.ok) expect(typeof parsed.reason).toBe("string");
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.integer({ min: MAX_JSON_DEPTH + 1, max: 20_000 }), fc.boolean(), (depth, array) => {
        const deep = array
          ? "[".repeat(depth) + "]".repeat(depth)
          : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
        const parsed = parseJsonSafely(deep);
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.tooDeep).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("showValue and excerpt: bounded and total, whatever the value", () => {
    const deep = fc.integer({ min: 1, max: 20_000 }).map((depth) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
      return value;
    });
    const cyclic = fc.constant(null).map(() => {
      const a: Record<string, unknown> = { b: [] };
      (a.b as unknown[]).push(a);
      return a;
    });
    const odd = fc.constantFrom<unknown>(
      10n ** 400n,
      Symbol("s"),
      () => 1,
      undefined,
      Number.NaN,
      -0,
      "\ud800",
      "x".repeat(1_000_000),
      Object.create(null),
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error("no keys");
          },
        },
      ),
      {
        get x() {
          throw new Error("getter");
        },
      },
    );
    const value = fc.oneof(deep, cyclic, odd, fc.anything({ maxDepth: 6 }));
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 200 }), (v, max) => {
        expect(showValue(v, max).length).toBeLessThanOrEqual(max + 1);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          frames.map((f) => f.bytes as string | Uint8Array),
          codePoints(2000),
          fc.integer({ min: 0, max: 200_000 }).map((n) => "\u00ff".repeat(n)),
        ),
        fc.integer({ min: 1, max: 200 }),
        (input, max) => {
          // JSON.stringify escapes: the excerpt of max characters is at most 6 x max + quotes + ellipsis long.
          expect(excerpt(input, max).length).toBeLessThanOrEqual(6 * max + 3);
        },
      ),
      { numRuns: 200 },
    );
  });
});
