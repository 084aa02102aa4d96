import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CipherKey } from "../cts/crypto.ts";
import { encodeFrame } from "./codec.ts";
import type { Envelope } from "./envelope.ts";
import { keyKindFor } from "./packet-types.ts";
import { McStreamDecoder, type StreamOutcome } from "./stream-decoder.ts";
import { anyMessage } from "./testing/arbitraries.ts";

const pin = CipherKey.fromPin("A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6");
const session = CipherKey.fromSessionKey("abcdef0123456789");
const keyFor = (envelope: Envelope) => (keyKindFor(envelope.code) === "pin" ? pin : session);
const token = "qwertyuiop123456";

function feed(decoder: McStreamDecoder, bytes: Uint8Array, cuts: number[]): StreamOutcome[] {
  const out: StreamOutcome[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...decoder.push(bytes.subarray(start, cut)));
    start = cut;
  }
  out.push(...decoder.push(bytes.subarray(start)));
  return out;
}

const chunking = (length: number) => fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 });

describe("McStreamDecoder", () => {
  it("random bytes in random chunks never throw and never yield a message", () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 2048 })
          .chain((bytes) => fc.tuple(fc.constant(bytes), chunking(bytes.length))),
        fc.integer({ min: 16, max: 4096 }),
        ([bytes, cuts], maxFrameLength) => {
          const decoder = new McStreamDecoder({ keyFor, maxFrameLength });
          const outcomes = feed(decoder, bytes, cuts);
          expect(outcomes.filter((o) => o.ok)).toEqual([]);
          expect(decoder.buffered).toBeLessThanOrEqual(maxFrameLength + 1);
        },
      ),
    );
  });

  it("frame-shaped garbage (CTS, JSON, Base64 pieces, CRLFs) never throws and never yields a message", () => {
    const piece = fc.constantFrom(
      "CTS",
      "{",
      "}",
      '"code":',
      "1002",
      '"data":"',
      "QUJD",
      "==",
      '"',
      ",",
      "\r\n",
      "\r",
      "\n",
      "CTS{}",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 60 }), (pieces) => {
        const decoder = new McStreamDecoder({ keyFor });
        expect(decoder.push(Buffer.from(pieces.join(""))).filter((o) => o.ok)).toEqual([]);
      }),
    );
  });

  it("a valid frame split at every byte position decodes the same", () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        const frame = encodeFrame(message, { key: keyFor({ code: message.code, data: "" }), token });
        for (let cut = 0; cut <= frame.length; cut++) {
          const outcomes = feed(new McStreamDecoder({ keyFor }), frame, [cut]);
          expect(outcomes).toHaveLength(1);
          const [only] = outcomes;
          expect(only?.ok && only.value.message).toEqual(message);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("many frames in random chunks decode in order, and garbage between them loses none", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyMessage, fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (items, rawCuts) => {
          const parts: Uint8Array[] = [];
          for (const [message, garbage] of items) {
            // Garbage is its own line: on the wire it arrives between frames (5.2.2 item 6: dropped silently).
            parts.push(
              Buffer.from(garbage).filter((b) => b !== 0x0a),
              Buffer.from("\r\n"),
            );
            parts.push(encodeFrame(message, { key: keyFor({ code: message.code, data: "" }), token }));
          }
          const stream = Buffer.concat(parts);
          const outcomes = feed(
            new McStreamDecoder({ keyFor }),
            stream,
            rawCuts.map((c) => c % (stream.length + 1)),
          );
          const messages = outcomes.flatMap((o) => (o.ok ? [o.value.message] : []));
          expect(messages).toEqual(items.map(([message]) => message));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("decode errors are typed, one per bad frame, and the next frame still decodes", () => {
  const good = encodeFrame({ code: 1000, body: { sequence: "7", token, time: 1 } }, { key: session, token });
  const sealed = (json: string) => {
    const c = createCipheriv("aes-128-cbc", session.key, session.iv);
    return Buffer.concat([c.update(json), c.final()]).toString("base64");
  };
  const cases: Array<[string, string]> = [
    ["NO_PREFIX", '{"code":1000,"token":"t","data":""}'],
    ["BAD_JSON", 'CTS{"code":1000,'],
    ["BAD_ENVELOPE", 'CTS{"code":"1000","data":""}'],
    ["BAD_ENVELOPE", `CTS{"code":1000,"data":"${sealed("{}")}"}`],
    ["UNKNOWN_CODE", 'CTS{"code":4242,"data":""}'],
    ["BAD_BASE64", 'CTS{"code":1001,"data":"not base64!"}'],
    ["DECRYPT_FAILED", 'CTS{"code":1001,"data":"QUJD"}'],
    ["DECRYPT_FAILED", `CTS{"code":1001,"data":"${Buffer.alloc(32, 7).toString("base64")}"}`],
    ["BAD_BODY_JSON", `CTS{"code":1001,"data":"${sealed("not json")}"}`],
    ["BAD_BODY_JSON", `CTS{"code":1001,"data":"${sealed("[1,2]")}"}`],
    ["BAD_BODY", `CTS{"code":1001,"data":"${sealed('{"result":0,"sequence":"70000","time":1}')}"}`],
    [
      "BAD_BODY_JSON",
      `CTS{"code":2007,"data":"${sealed('{"result":0,"sequence":"1","deviceId":"d","time":1,"__proto__":{"x":1}}')}"}`,
    ],
    [
      "BAD_BODY_JSON",
      `CTS{"code":2007,"data":"${sealed('{"result":0,"sequence":"1","deviceId":"d","time":1,"\\u005f_proto__":{}}')}"}`,
    ],
    ["BAD_JSON", 'CTS{"code":1001,"__proto__":{"data":"x"},"data":""}'],
  ];
  for (const [code, line] of cases) {
    it(`${code}: ${line.slice(0, 48)}`, () => {
      const outcomes = new McStreamDecoder({ keyFor }).push(
        Buffer.concat([Buffer.from(`${line}\r\n`), good]),
      );
      expect(outcomes).toHaveLength(2);
      expect(outcomes[0]?.ok === false && outcomes[0].error.code).toBe(code);
      expect(outcomes[1]?.ok).toBe(true);
    });
  }

  it("NO_KEY when the resolver has no key (an unknown device's login)", () => {
    const [outcome] = new McStreamDecoder({ keyFor: () => undefined }).push(good);
    expect(outcome?.ok === false && outcome.error.code).toBe("NO_KEY");
  });

  it("FRAME_TOO_LONG once per over-long line, without buffering it, then back in step", () => {
    const decoder = new McStreamDecoder({ keyFor, maxFrameLength: good.length });
    const outcomes = [
      ...decoder.push(Buffer.alloc(good.length * 3, 0x41)),
      ...decoder.push(Buffer.alloc(good.length * 3, 0x41)),
    ];
    expect(outcomes.map((o) => !o.ok && o.error.code)).toEqual(["FRAME_TOO_LONG"]);
    expect(decoder.buffered).toBe(0);
    const after = decoder.push(Buffer.concat([Buffer.from("\r\n"), good]));
    expect(after.map((o) => o.ok)).toEqual([true]);
  });

  it("a frame exactly at the limit passes; one byte more does not", () => {
    const body = good.subarray(0, -2);
    expect(new McStreamDecoder({ keyFor, maxFrameLength: body.length }).push(good).map((o) => o.ok)).toEqual([
      true,
    ]);
    const tooShort = new McStreamDecoder({ keyFor, maxFrameLength: body.length - 1 }).push(good);
    expect(tooShort.map((o) => !o.ok && o.error.code)).toEqual(["FRAME_TOO_LONG"]);
  });
});
