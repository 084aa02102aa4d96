import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Text } from "./utf8-text.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const decoded = (bytes: Uint8Array): string | undefined => {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
};

/** Bytes as the wire brings them: any bytes, UTF-8 text (a byte order mark first or not), text with a byte broken. */
const wireBytes = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc
    .tuple(fc.boolean(), fc.string({ unit: "binary", maxLength: 20 }))
    .map(([mark, text]) => new Uint8Array(Buffer.from(`${mark ? "\uFEFF" : ""}${text}`, "utf8"))),
  fc
    .tuple(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([text, at, byte]) => {
      const bytes = new Uint8Array(Buffer.from(text, "utf8"));
      bytes[at % bytes.length] = byte;
      return bytes;
    }),
);

describe("utf8Text", () => {
  it("gives what a fatal TextDecoder gives after an ASCII prefix, for a Buffer and for a plain Uint8Array", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ -~]{0,4}$/), wireBytes, (prefix, rest) => {
        const whole = new Uint8Array([...Buffer.from(prefix, "ascii"), ...rest]);
        const expected = decoded(rest);
        expect(utf8Text(Buffer.from(whole), prefix.length)).toBe(expected);
        expect(utf8Text(whole, prefix.length)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("drops a leading byte order mark, keeps a later one, and refuses a lone surrogate's bytes", () => {
    expect(utf8Text(Buffer.from('CTS\uFEFF{"a":"\uFEFF"}', "utf8"), 3)).toBe('{"a":"\uFEFF"}');
    expect(utf8Text(Buffer.from([0x43, 0x54, 0x53, 0xed, 0xa0, 0x80]), 3)).toBeUndefined();
  });
});
