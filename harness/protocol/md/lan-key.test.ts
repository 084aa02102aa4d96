import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { decrypt, encrypt } from "../cts/crypto.ts";
import { DEFAULT_LAN_KEY_LIVE_TIME_S, isLanRand, lanCipherKey, lanKeyFor, lanKeyMatches } from "./lan-key.ts";

/**
 * Known answers from the OpenSSL command line, independently of this code (first 16 bytes of the output):
 *   printf '%s' "$RAND" | openssl enc -aes-128-cbc -K <hex of PIN[0..16]> -iv <hex of PIN[16..32]> | head -c16 | xxd -p
 */
const KNOWN = [
  {
    pin: "0123456789abcdefghijklmnopqrstuv",
    rand: "1234567890123456",
    lanKey: "3db0486c55b95f0037a8a8e420ede58c",
  },
  {
    pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6",
    rand: "9876543210987654",
    lanKey: "a26045173ea7cb526f73685308f0f66e",
  },
  {
    pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6",
    rand: "0000000000000000",
    lanKey: "0986478d7f6a5e5a905008ab51345a5f",
  },
];
/**
 * A 6.2.3 query encrypted with the first lanKey as key and IV:
 *   printf '%s' "$QUERY" | openssl enc -aes-128-cbc -K 3db0486c55b95f0037a8a8e420ede58c -iv 3db0...e58c | base64 -w0
 */
const QUERY = '{"cmd":"query","to":"deviceId","mid":"0001233"}';
const QUERY_OPENSSL = "qBrsWNTZ5QuQwA1aR058sS0Os299OD42g8R7NRa5zKVDGdR3ejl6j0V+DjxKjMYn";

const digit = fc.constantFrom(..."0123456789");
const rand = fc.string({ unit: digit, minLength: 16, maxLength: 16 });
/** A 32-character printable-ASCII PIN, as the registry holds. */
const pin = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 32,
  maxLength: 32,
});
/** Any string at all, lone surrogates included. */
const anyString = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError, nothing was thrown");
}

describe("Md lanKey (6.2.2)", () => {
  it.each(KNOWN)("gives OpenSSL's answer for rand $rand with PIN $pin", ({ pin: p, rand: r, lanKey }) => {
    expect(lanKeyFor(r, p)).toBe(lanKey);
    expect(lanKeyMatches(r, lanKey, p)).toBe(true);
  });

  it("encrypts a LAN frame with the lanKey as key and IV, as OpenSSL does, and opens it again", () => {
    const key = lanCipherKey(KNOWN[0]?.lanKey ?? "");
    expect(key.kind).toBe("lan");
    expect(key.key.toString("hex")).toBe(KNOWN[0]?.lanKey);
    expect(key.iv.toString("hex")).toBe(KNOWN[0]?.lanKey);
    const sealed = encrypt(key, Buffer.from(QUERY));
    expect(sealed.toString("base64")).toBe(QUERY_OPENSSL);
    const opened = decrypt(key, sealed);
    expect(opened.ok && opened.value.toString()).toBe(QUERY);
  });

  it("takes exactly 16 ASCII digits as rand", () => {
    expect(isLanRand("1234567890123456")).toBe(true);
    for (const bad of ["123456789012345", "12345678901234567", "123456789012345a", " 234567890123456"]) {
      expect(isLanRand(bad), bad).toBe(false);
    }
    expect(isLanRand("1234567890123456\n")).toBe(false);
    // Digits, but not ASCII ones.
    expect(isLanRand("٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥")).toBe(false);
    expect(isLanRand(1234567890123456)).toBe(false);
    expect(isLanRand(undefined)).toBe(false);
  });

  it("refuses a bad rand with a UsageError naming rand and its value", () => {
    const error = usageErrorOf(() => lanKeyFor("12345", KNOWN[0]?.pin ?? ""));
    expect(error.field).toBe("rand");
    expect(error.message).toBe('rand must be 16 ASCII digits, got "12345"');
    const long = usageErrorOf(() => lanKeyFor("9".repeat(10_000), KNOWN[0]?.pin ?? ""));
    expect(long.message.length).toBeLessThan(100);
  });

  it("refuses a bad PIN with a UsageError naming pin and its length, never its content", () => {
    const error = usageErrorOf(() => lanKeyFor("1234567890123456", "short-secret-pin"));
    expect(error.field).toBe("pin");
    expect(error.message).toMatch(/16 characters/);
    expect(error.message).not.toContain("short-secret-pin");
  });

  it("refuses a bad lanKey with a UsageError naming lanKey, never its content", () => {
    for (const bad of [
      "",
      "3db0486c55b95f0037a8a8e420ede58",
      "3DB0486C55B95F0037A8A8E420EDE58C",
      "g".repeat(32),
    ]) {
      const error = usageErrorOf(() => lanCipherKey(bad));
      expect(error.field, bad).toBe("lanKey");
      if (bad !== "") expect(error.message, bad).not.toContain(bad);
    }
  });

  it("has the spec's example lifetime as the default liveTime", () => {
    expect(DEFAULT_LAN_KEY_LIVE_TIME_S).toBe(300);
  });
});

describe("Md lanKey properties", () => {
  it("the lanKey the platform gives for any rand and PIN is 32 lowercase hex and authenticates the client", () => {
    fc.assert(
      fc.property(rand, pin, (r, p) => {
        const lanKey = lanKeyFor(r, p);
        expect(lanKey).toMatch(/^[0-9a-f]{32}$/);
        expect(lanKeyMatches(r, lanKey, p)).toBe(true);
      }),
    );
  });

  it("any other lanKey string does not match", () => {
    const hex = fc.constantFrom(..."0123456789abcdef");
    // Another string, made from the right lanKey or from nothing.
    const other: fc.Arbitrary<(lanKey: string) => string> = fc.oneof(
      fc.constant((k: string) => k.toUpperCase()),
      fc.constant((k: string) => `${k} `),
      fc.constant((k: string) => `${k}\n`),
      fc.constant((k: string) => k.slice(1)),
      fc.constant((k: string) => `${k}0`),
      fc.tuple(fc.nat({ max: 31 }), hex).map(
        ([i, c]) =>
          (k: string) =>
            k.slice(0, i) + c + k.slice(i + 1),
      ),
      fc.string({ unit: hex, minLength: 32, maxLength: 32 }).map((s) => () => s),
      anyString.map((s) => () => s),
    );
    fc.assert(
      fc.property(rand, pin, other, (r, p, change) => {
        const lanKey = lanKeyFor(r, p);
        const given = change(lanKey);
        fc.pre(given !== lanKey);
        expect(lanKeyMatches(r, given, p)).toBe(false);
      }),
    );
  });

  it("a lanKey authenticates only its own rand and PIN", () => {
    fc.assert(
      fc.property(rand, rand, pin, pin, (r1, r2, p1, p2) => {
        const lanKey = lanKeyFor(r1, p1);
        if (r2 !== r1) expect(lanKeyMatches(r2, lanKey, p1)).toBe(false);
        if (p2 !== p1) expect(lanKeyMatches(r1, lanKey, p2)).toBe(false);
      }),
    );
  });

  it("lanKeyMatches never throws on any strings", () => {
    const randLike = fc.oneof(rand, anyString);
    const keyLike = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 32, maxLength: 32 }),
      anyString,
    );
    const pinLike = fc.oneof(pin, anyString, fc.string({ unit: "binary", minLength: 32, maxLength: 32 }));
    fc.assert(
      fc.property(randLike, keyLike, pinLike, (r, k, p) => {
        expect(typeof lanKeyMatches(r, k, p)).toBe("boolean");
      }),
    );
    // Not strings at all, as JSON from the wire may give.
    for (const odd of [undefined, null, 1, {}, [], Buffer.from("x")]) {
      expect(lanKeyMatches(odd as string, odd as string, odd as string)).toBe(false);
    }
  });

  it("lanKeyFor throws only UsageErrors naming rand or pin", () => {
    fc.assert(
      fc.property(fc.oneof(rand, anyString), fc.oneof(pin, anyString), (r, p) => {
        try {
          expect(lanKeyFor(r, p)).toMatch(/^[0-9a-f]{32}$/);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect(["rand", "pin"]).toContain((error as UsageError).field);
        }
      }),
    );
  });
});
