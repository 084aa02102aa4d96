import { createCipheriv, createDecipheriv } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import {
  checkPasswordDigits,
  decryptPassword,
  decryptTicketKey,
  encryptPassword,
  encryptTicketKey,
  passwordDigits,
} from "./password-crypto.ts";

const SECRET = "cd1f4b7e0a9d3c6f2e5b8a1d4c7f0e3b";
const KEY = "Kx9mQ2vL7pR4tW8z";

/** Independent AES-ECB with PKCS7, as any caller would write it. */
const ecb = (bits: 128 | 256, key: string, plain: string) => {
  const c = createCipheriv(`aes-${bits}-ecb`, Buffer.from(key), null);
  return Buffer.concat([c.update(plain), c.final()]).toString("hex");
};

describe("ticket_key (AES-256-ECB under the client secret, hex)", () => {
  it("is the 16-character key encrypted under the 32-character secret, uppercase hex of two blocks", () => {
    const ticketKey = encryptTicketKey(KEY, SECRET);
    expect(ticketKey).toMatch(/^[0-9A-F]{64}$/);
    expect(ticketKey).toBe(ecb(256, SECRET, KEY).toUpperCase());
    const d = createDecipheriv("aes-256-ecb", Buffer.from(SECRET), null);
    expect(Buffer.concat([d.update(Buffer.from(ticketKey, "hex")), d.final()]).toString()).toBe(KEY);
  });

  it("decrypts in either case; garbage, the wrong secret or the wrong length is 1109 on ticket_key, value hidden", () => {
    const ticketKey = encryptTicketKey(KEY, SECRET);
    expect(decryptTicketKey(ticketKey, SECRET)).toEqual({ ok: true, value: KEY });
    expect(decryptTicketKey(ticketKey.toLowerCase(), SECRET)).toEqual({ ok: true, value: KEY });
    for (const bad of ["", "zz", ticketKey.slice(2), ecb(256, SECRET, "short").toUpperCase()]) {
      const refused = decryptTicketKey(bad, SECRET);
      expect(refused).toMatchObject({
        ok: false,
        error: { apiCode: 1109, field: "ticket_key", value: "[redacted]" },
      });
    }
    const other = decryptTicketKey(ticketKey, "00000000000000000000000000000000");
    expect(other.ok && other.value === KEY).toBe(false);
  });

  it("refuses keys of the wrong size as a caller's mistake", () => {
    expect(() => encryptTicketKey(KEY, "short-secret")).toThrow(UsageError);
    expect(() => encryptTicketKey("short", SECRET)).toThrow(/ticketKey/);
    expect(() => encryptPassword("1234567", "short")).toThrow(/ticketKey/);
  });
});

describe("password (AES-128-ECB/PKCS7 under the ticket's key, hex)", () => {
  it("encryptPassword is what an independent implementation writes, uppercase", () => {
    expect(encryptPassword("1234567", KEY)).toBe(ecb(128, KEY, "1234567").toUpperCase());
    expect(encryptPassword("123456", KEY)).toMatch(/^[0-9A-F]{32}$/);
  });

  it("digits: 7 for Wi-Fi, 6 for Zigbee and Bluetooth; a wrong count is 1101 naming the count, not the password", () => {
    expect(passwordDigits).toEqual({ wifi: 7, zigbee: 6, bluetooth: 6 });
    expect(decryptPassword(encryptPassword("1234567", KEY), KEY, "wifi")).toEqual({
      ok: true,
      value: "1234567",
    });
    expect(decryptPassword(encryptPassword("123456", KEY), KEY, "zigbee")).toEqual({
      ok: true,
      value: "123456",
    });
    const wrong = decryptPassword(encryptPassword("123456", KEY), KEY, "wifi");
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: "passwordDigitsWrong", apiCode: 1101, field: "password" },
    });
    if (!wrong.ok) {
      expect(wrong.error.message).toContain("expected 7 digits for a wifi lock (got 6 digits)");
      expect(wrong.error.message).not.toContain("123456");
    }
    expect(checkPasswordDigits("1234567", "bluetooth")?.apiCode).toBe(1101);
    expect(checkPasswordDigits("123456", "bluetooth")).toBeUndefined();
  });

  it("not hex, not whole blocks, another key, or not digits is 1109 on password, value hidden", () => {
    const good = encryptPassword("1234567", KEY);
    for (const bad of ["", "xyz", good.slice(1), good.slice(0, 30), encryptPassword("12a4567", KEY)]) {
      const refused = decryptPassword(bad, KEY);
      expect(refused).toMatchObject({ ok: false, error: { code: "paramIllegal", field: "password" } });
      if (!refused.ok) expect(refused.error.value).toBe("[redacted]");
    }
    const other = decryptPassword(good, "AAAAAAAAAAAAAAAA");
    expect(other.ok && other.value === "1234567").toBe(false);
  });

  it("property: any digits round-trip through the ticket key and the password, whatever the secret", () => {
    const chars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    fc.assert(
      fc.property(
        fc.string({ unit: chars, minLength: 32, maxLength: 32 }),
        fc.string({ unit: chars, minLength: 16, maxLength: 16 }),
        fc.stringMatching(/^\d{1,12}$/),
        (secret, key, digits) => {
          const opened = decryptTicketKey(encryptTicketKey(key, secret), secret);
          expect(opened).toEqual({ ok: true, value: key });
          expect(decryptPassword(encryptPassword(digits, key), key)).toEqual({ ok: true, value: digits });
        },
      ),
    );
  });

  it("property: decryptPassword is total on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(() => decryptPassword(text, KEY, "zigbee")).not.toThrow();
      }),
    );
  });
});
