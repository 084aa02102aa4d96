import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CipherKey } from "../cts/crypto.ts";
import { ctsErrorCodes } from "../cts/errors.ts";
import { decodeLanFrame, encodeLanFrame } from "./lan-frame.ts";
import type { LanMessage } from "./messages.ts";

const attributeNumber = fc.integer({ min: 1, max: 65535 }).map(String);
const attributes = fc.dictionary(attributeNumber, fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), {
  maxKeys: 6,
});
const mid = fc.string({ minLength: 1, maxLength: 12 });
const id = fc.string({ minLength: 1, maxLength: 24 });
const ota = fc.tuple(
  fc.constantFrom(0 as const, 1 as const),
  fc.integer({ min: 1, max: 8 }),
  fc.integer({ min: 0, max: 100 }),
);
const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(""));

const lanMessage: fc.Arbitrary<LanMessage> = fc.oneof(
  fc.record({
    cmd: fc.constant("auth" as const),
    to: id,
    rand: digits(16),
    lanKey: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString("hex")),
    liveTime: fc.integer({ min: 0, max: 86400 }).map(String),
  }),
  fc.record(
    {
      cmd: fc.constant("resp" as const),
      code: fc.constantFrom(0, 100001, 200003, 300002),
      mid,
      as: attributes,
      asc: fc.dictionary(attributeNumber, fc.constantFrom(0 as const, 1 as const), { maxKeys: 3 }),
      fids: fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 3 }),
      ota,
    },
    { requiredKeys: ["cmd", "code"] },
  ),
  fc.record({ cmd: fc.constant("query" as const), to: id, mid }),
  fc.record({ cmd: fc.constant("opt" as const), mid, to: id, as: attributes }),
  fc.record(
    {
      cmd: fc.constant("post" as const),
      mid,
      from: id,
      as: attributes,
      fids: fc.array(fc.nat(99), { maxLength: 3 }),
      ota,
    },
    { requiredKeys: ["cmd", "from", "as"] },
  ),
);
const lanKey = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => CipherKey.fromLanKey(b));
const withoutCrlf = (frame: Buffer) => frame.subarray(0, -2);

describe("LAN frames (6.2.2-6.2.5) on the CTS framing", () => {
  it("sends the auth exchange in clear: CTS + the message JSON", () => {
    const frame = encodeLanFrame({ cmd: "resp", code: 0 }, undefined);
    expect(frame.toString()).toBe('CTS{"cmd":"resp","code":0}\r\n');
  });

  it("seals every later frame as data: Base64 of AES-128-CBC with the lanKey as key and IV", () => {
    const key = CipherKey.fromLanKey(Buffer.from("3db0486c55b95f0037a8a8e420ede58c", "hex"));
    const frame = encodeLanFrame({ cmd: "query", to: "D1", mid: "1" }, key).toString();
    expect(frame).toMatch(/^CTS\{"data":"[A-Za-z0-9+/]+=*"\}\r\n$/);
    expect(decodeLanFrame(Buffer.from(frame.slice(0, -2)), key)).toEqual({
      ok: true,
      value: { cmd: "query", to: "D1", mid: "1" },
    });
  });

  it("round-trips every message, in clear and sealed, in both framings", () => {
    fc.assert(
      fc.property(
        lanMessage,
        lanKey,
        fc.constantFrom("cts-json" as const, "cts-base64" as const),
        (message, key, framing) => {
          expect(
            decodeLanFrame(withoutCrlf(encodeLanFrame(message, undefined, framing)), undefined, framing),
          ).toEqual({
            ok: true,
            value: message,
          });
          expect(decodeLanFrame(withoutCrlf(encodeLanFrame(message, key, framing)), key, framing)).toEqual({
            ok: true,
            value: message,
          });
        },
      ),
    );
  });

  it("never yields a message from a cut frame, nor from a sealed frame under another key", () => {
    fc.assert(
      fc.property(lanMessage, lanKey, lanKey, fc.nat(), (message, key, other, cut) => {
        const sealed = withoutCrlf(encodeLanFrame(message, key));
        expect(decodeLanFrame(sealed.subarray(0, cut % sealed.length), key).ok).toBe(false);
        if (!other.key.equals(key.key)) expect(decodeLanFrame(sealed, other).ok).toBe(false);
        // A clear frame where a sealed one is expected, and the other way round.
        expect(decodeLanFrame(withoutCrlf(encodeLanFrame(message, undefined)), key)).toMatchObject({
          ok: false,
          error: { code: "BAD_ENVELOPE", field: "data" },
        });
        expect(decodeLanFrame(sealed, undefined).ok).toBe(false);
      }),
    );
  });

  it("never throws on random bytes; every error is a CTS error code", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string().map((s) => Buffer.from(`CTS${s}`)),
        ),
        lanKey,
        (bytes, key) => {
          for (const decoded of [decodeLanFrame(bytes, undefined), decodeLanFrame(bytes, key)]) {
            if (!decoded.ok) expect(ctsErrorCodes).toContain(decoded.error.code);
          }
        },
      ),
    );
  });

  it("names the field and the value of a message that breaks its schema, and never shows a lanKey", () => {
    const bad = decodeLanFrame(Buffer.from('CTS{"cmd":"query","to":"D1","mid":7}'), undefined);
    expect(bad).toMatchObject({ ok: false, error: { code: "BAD_BODY", field: "mid" } });
    if (!bad.ok) expect(bad.error.message).toContain("(got 7)");
    const auth = decodeLanFrame(
      Buffer.from(
        'CTS{"cmd":"auth","to":"D1","rand":"1234567890123456","lanKey":"secret-not-hex","liveTime":"300"}',
      ),
      undefined,
    );
    expect(auth).toMatchObject({ ok: false, error: { code: "BAD_BODY", field: "lanKey" } });
    if (!auth.ok) expect(auth.error.message).not.toContain("secret-not-hex");
    expect(() => encodeLanFrame({ cmd: "opt", mid: "1", to: "D1", as: { x: 1 } }, undefined)).toThrow(/as/);
  });
});
