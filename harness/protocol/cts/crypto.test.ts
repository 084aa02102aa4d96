import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CipherKey, decrypt, encrypt, isBase64 } from "./crypto.ts";

describe("CipherKey", () => {
  const pin = "PLUGPIN0123456789abcdefghijklmno";

  it("takes key and IV from the PIN's two halves, and a session key as both (5.2.2 item 2)", () => {
    const fromPin = CipherKey.fromPin(pin);
    expect(fromPin.key.toString("ascii")).toBe(pin.slice(0, 16));
    expect(fromPin.iv.toString("ascii")).toBe(pin.slice(16));
    const session = CipherKey.fromSessionKey("0123456789abcdef");
    expect(session.key.toString("ascii")).toBe("0123456789abcdef");
    expect(session.iv).toBe(session.key);
    const sealed = encrypt(session, Buffer.from("{}"));
    expect(decrypt(session, sealed)).toEqual({ ok: true, value: Buffer.from("{}") });
  });

  it("holds its bytes in memory of their own, not in a pool a session would keep alive", () => {
    // Buffers allocated around the keys share Node's 8 KiB pool; a key's bytes must not.
    const keys = [
      CipherKey.fromPin(pin),
      CipherKey.fromSessionKey("0123456789abcdef"),
      CipherKey.fromLanKey(new Uint8Array(16).fill(7)),
    ];
    for (const key of keys) {
      expect(key.key.buffer.byteLength).toBeLessThanOrEqual(32);
      expect(key.iv.buffer).toBe(key.key.buffer);
    }
    expect(CipherKey.fromLanKey(new Uint8Array(16).fill(7)).key).toEqual(Buffer.alloc(16, 7));
  });
});

describe("isBase64", () => {
  it("says what a pattern of quartets, the last padded with at most two `=`, says", () => {
    const quartets = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const text = fc.string({
      unit: fc.constantFrom("A", "z", "0", "+", "/", "=", "-", " ", "\n"),
      maxLength: 12,
    });
    const encoded = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString("base64"));
    fc.assert(
      fc.property(fc.oneof(text, encoded), (t) => {
        expect(isBase64(t)).toBe(quartets.test(t));
      }),
      { numRuns: 2000 },
    );
  });
});
