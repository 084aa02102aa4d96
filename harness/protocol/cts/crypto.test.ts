import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CipherKey, decrypt, encrypt, strictBase64 } from "./crypto.ts";

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

describe("strictBase64", () => {
  it("takes what a pattern of quartets, the last padded with at most two `=`, takes, and decodes it as Node does", () => {
    const quartets = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    // Beside the alphabet: what Node's decoder skips, what it reads although standard Base64 does not (the URL-safe
    // `-` and `_`, a character beyond ASCII by its low byte: U+0141 reads as `A`), and a lone surrogate.
    const text = fc.string({
      unit: fc.constantFrom(
        "A",
        "z",
        "0",
        "+",
        "/",
        "=",
        "-",
        "_",
        " ",
        "\n",
        "\u0000",
        "\u00c1",
        "\u0141",
        "\ud800",
      ),
      maxLength: 12,
    });
    const encoded = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString("base64"));
    fc.assert(
      fc.property(fc.oneof(text, encoded, fc.string({ unit: "binary", maxLength: 8 })), (t) => {
        const bytes = strictBase64(t);
        expect(bytes !== undefined).toBe(quartets.test(t));
        if (bytes !== undefined) expect(bytes).toEqual(Buffer.from(t, "base64"));
      }),
      { numRuns: 5000 },
    );
  });

  it("refuses a character that Node's decoder would read as another", () => {
    expect(Buffer.from("\u0141AAA", "base64")).toEqual(Buffer.from("AAAA", "base64"));
    expect(strictBase64("\u0141AAA")).toBeUndefined();
    expect(strictBase64("AA-A")).toBeUndefined();
    expect(strictBase64("AA_A")).toBeUndefined();
    expect(strictBase64("AAAA")).toEqual(Buffer.alloc(3));
  });
});
