import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { enterCode } from "./keypad.ts";
import { KeypadSchema } from "./keypad-schema.ts";

const keypad = KeypadSchema.parse({ wrongCodeLimit: 3 });
const password = (code: string, extra: Record<string, string> = {}) => ({
  KEY_ID: `k${code}`,
  KEY_TYPE: "2",
  KEY_CODE: code,
  ...extra,
});

describe("a lock's keypad (pure)", () => {
  it("opens with a password valid now, and says why it did not otherwise", () => {
    const keys = [
      { KEY_ID: "1", KEY_TYPE: "1", KEY_CODE: "111111" }, // a fingerprint: no code opens it
      password("222222", { EFFECTIVE_TIME: "100", INVALID_TIME: "200" }),
      password("333333", { FROZEN: "1" }),
      password("444444", { HIJACK: "1", SINGLE_USE: "1" }),
    ];
    expect(enterCode(keypad, keys, "222222", 150, 0)).toEqual({
      kind: "open",
      keyId: "k222222",
      hijack: false,
      singleUse: false,
    });
    expect(enterCode(keypad, keys, "444444", 0, 2)).toEqual({
      kind: "open",
      keyId: "k444444",
      hijack: true,
      singleUse: true,
    });
    const refused = (code: string, now: number) => enterCode(keypad, keys, code, now, 0);
    expect(refused("222222", 99)).toMatchObject({ kind: "refused", reason: "not-yet-valid" });
    expect(refused("222222", 200)).toMatchObject({ kind: "refused", reason: "expired" });
    expect(refused("333333", 150)).toMatchObject({ kind: "refused", reason: "frozen" });
    expect(refused("111111", 150)).toMatchObject({ kind: "refused", reason: "unknown" });
  });

  it("counts wrong codes in a row and raises the alarm at the limit, then counts again", () => {
    const keys = [password("123456")];
    expect(enterCode(keypad, keys, "000000", 0, 0)).toMatchObject({ wrongInARow: 1, alarm: false });
    expect(enterCode(keypad, keys, "000000", 0, 1)).toMatchObject({ wrongInARow: 2, alarm: false });
    expect(enterCode(keypad, keys, "000000", 0, 2)).toMatchObject({ wrongInARow: 0, alarm: true });
  });

  it("opens exactly when the time is in [from, until) and the key is not frozen (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (from, until, now, frozen) => {
          const keys = [
            password("987654", {
              EFFECTIVE_TIME: String(from),
              INVALID_TIME: String(until),
              FROZEN: frozen ? "1" : "0",
            }),
          ];
          const opened = enterCode(keypad, keys, "987654", now, 0).kind === "open";
          expect(opened).toBe(!frozen && from <= now && now < until);
          expect(enterCode(keypad, keys, "987655", now, 0).kind).toBe("refused");
        },
      ),
    );
  });
});
