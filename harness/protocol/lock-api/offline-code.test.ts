import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CLEAR_ALL_HOURS,
  DYNAMIC_STEP_S,
  dynamicCode,
  emptyOfflineMemory,
  findOfflineWindow,
  HOUR_S,
  lockLocalKey,
  type OfflineMemory,
  offlineCode,
  offlinePasswordId,
  verifyLockCode,
} from "./offline-code.ts";

const KEY = lockLocalKey("Zq7xPin0000000000000000000000001", "lock-1");
/** 2026-11-30 10:00:00 UTC. */
const H = Math.floor(Date.UTC(2026, 10, 30, 10) / 1000 / HOUR_S);
const at = (hour: number, extraS = 0) => hour * HOUR_S + extraS;

function typeAt(memory: OfflineMemory, code: string, nowS: number) {
  return verifyLockCode(KEY, memory, code, nowS);
}

describe("offline and dynamic codes (hilfarm's algorithm, shared by the cloud and the lock)", () => {
  it("derives the local key from the PIN and the device id: HMAC-SHA256, 16 hex characters", () => {
    const expected = createHmac("sha256", "pin-1")
      .update("hilfarm-lock-local-key/dev-1")
      .digest("hex")
      .slice(0, 16);
    expect(lockLocalKey("pin-1", "dev-1")).toBe(expected);
    expect(lockLocalKey("pin-1", "dev-2")).not.toBe(expected);
    expect(lockLocalKey("pin-2", "dev-1")).not.toBe(expected);
  });

  it("writes 10 digits: the seed's type number, the hours or serial, six digits of MAC", () => {
    const multiple = offlineCode(KEY, { type: "multiple", startHour: H, hours: 27 });
    expect(multiple).toMatch(/^0027\d{6}$/);
    expect(offlineCode(KEY, { type: "once", startHour: H, hours: 6, serial: 3 })).toMatch(/^1003\d{6}$/);
    expect(offlineCode(KEY, { type: "clear_all", startHour: H, hours: 24 })).toMatch(/^9000\d{6}$/);
    expect(offlineCode(KEY, { type: "clear_one", startHour: H, hours: 24, target: multiple })).toMatch(
      /^8024\d{6}$/,
    );
    expect(offlinePasswordId(KEY, multiple)).toMatch(/^[1-9]\d{6}$/);
    expect(() => offlineCode(KEY, { type: "once", startHour: H, hours: 7 })).toThrow(
      /hours: a once code lasts 6/,
    );
    expect(() => offlineCode(KEY, { type: "multiple", startHour: H, hours: 1000 })).toThrow(
      /hours: expected 1-999/,
    );
  });

  it("a multiple code opens from its start hour until (not at) its end, as often as typed", () => {
    const code = offlineCode(KEY, { type: "multiple", startHour: H, hours: 3 });
    expect(typeAt(emptyOfflineMemory, code, at(H) - 1).verdict.kind).toBe("refused");
    let memory = emptyOfflineMemory;
    for (const s of [at(H), at(H + 1, 5), at(H + 3) - 1]) {
      const typed = typeAt(memory, code, s);
      expect(typed.verdict).toEqual({ kind: "open", type: "multiple", id: offlinePasswordId(KEY, code) });
      memory = typed.memory;
    }
    expect(typeAt(memory, code, at(H + 3)).verdict.kind).toBe("refused");
  });

  it("a once code opens once, within its 6 hours; two of the same hour differ", () => {
    const first = offlineCode(KEY, { type: "once", startHour: H, hours: 6, serial: 0 });
    const second = offlineCode(KEY, { type: "once", startHour: H, hours: 6, serial: 1 });
    expect(first).not.toBe(second);
    const opened = typeAt(emptyOfflineMemory, first, at(H + 5, 3599));
    expect(opened.verdict.kind).toBe("open");
    expect(typeAt(opened.memory, first, at(H + 5, 3599)).verdict.kind).toBe("refused");
    expect(typeAt(opened.memory, second, at(H + 5)).verdict.kind).toBe("open");
    expect(typeAt(emptyOfflineMemory, first, at(H + 6)).verdict.kind).toBe("refused");
  });

  it("a clear_all code opens once and voids the codes whose window began in or before its hour", () => {
    const old = offlineCode(KEY, { type: "multiple", startHour: H - 2, hours: 48 });
    const later = offlineCode(KEY, { type: "multiple", startHour: H + 1, hours: 48 });
    const clear = offlineCode(KEY, { type: "clear_all", startHour: H, hours: CLEAR_ALL_HOURS });
    const cleared = typeAt(emptyOfflineMemory, clear, at(H + 1));
    expect(cleared.verdict).toMatchObject({ kind: "open", type: "clear_all" });
    expect(typeAt(cleared.memory, clear, at(H + 1)).verdict.kind).toBe("refused");
    expect(typeAt(cleared.memory, old, at(H + 1)).verdict.kind).toBe("refused");
    expect(typeAt(cleared.memory, later, at(H + 1)).verdict.kind).toBe("open");
  });

  it("a clear_one code voids the multiple code it names, once the lock has taken that code", () => {
    const code = offlineCode(KEY, { type: "multiple", startHour: H, hours: 10 });
    const other = offlineCode(KEY, { type: "multiple", startHour: H, hours: 11 });
    const clear = offlineCode(KEY, { type: "clear_one", startHour: H, hours: 24, target: code });
    expect(typeAt(emptyOfflineMemory, clear, at(H + 1)).verdict.kind).toBe("refused");
    let memory = typeAt(emptyOfflineMemory, code, at(H + 1)).memory;
    memory = typeAt(memory, other, at(H + 1)).memory;
    const cleared = typeAt(memory, clear, at(H + 2));
    expect(cleared.verdict).toMatchObject({ kind: "open", type: "clear_one" });
    expect(typeAt(cleared.memory, code, at(H + 2)).verdict.kind).toBe("refused");
    expect(typeAt(cleared.memory, other, at(H + 2)).verdict.kind).toBe("open");
  });

  it("a dynamic code opens in its 5-minute step and the next, not after, and not for another lock", () => {
    const now = at(H, 130);
    const code = dynamicCode(KEY, now);
    expect(code).toMatch(/^\d{8}$/);
    const step = Math.floor(now / DYNAMIC_STEP_S);
    expect(typeAt(emptyOfflineMemory, code, now).verdict).toEqual({
      kind: "open",
      type: "dynamic",
      id: String(step),
    });
    expect(typeAt(emptyOfflineMemory, code, (step + 2) * DYNAMIC_STEP_S - 1).verdict.kind).toBe("open");
    expect(typeAt(emptyOfflineMemory, code, (step + 2) * DYNAMIC_STEP_S).verdict.kind).toBe("refused");
    const otherKey = lockLocalKey("another-pin", "lock-1");
    expect(verifyLockCode(otherKey, emptyOfflineMemory, code, now).verdict.kind).toBe("refused");
  });

  it("property: a code opens the lock it was made for at every second of its window, and no other lock", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 32 }),
        fc.integer({ min: 400_000, max: 600_000 }),
        fc.integer({ min: 1, max: 72 }),
        fc.nat(),
        (pin, startHour, hours, seconds) => {
          const key = lockLocalKey(pin, "lock-p");
          const code = offlineCode(key, { type: "multiple", startHour, hours });
          const now = at(startHour) + (seconds % (hours * HOUR_S));
          const found = findOfflineWindow(key, code, now);
          // A window that holds now is found (a later one only if its MAC happens to match too).
          expect(found?.type).toBe("multiple");
          expect(at(found?.startHour ?? 0)).toBeLessThanOrEqual(now);
          expect(at((found?.startHour ?? 0) + (found?.hours ?? 0))).toBeGreaterThan(now);
          expect(verifyLockCode(key, emptyOfflineMemory, code, now).verdict).toEqual({
            kind: "open",
            type: "multiple",
            id: offlinePasswordId(key, code),
          });
          const otherLock = lockLocalKey(pin, "lock-q");
          expect(findOfflineWindow(otherLock, code, now)?.startHour).not.toBe(startHour);
        },
      ),
    );
  });

  it("property: changing any of the six MAC digits makes a code that opens nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("multiple", "once", "clear_all") as fc.Arbitrary<"multiple" | "once" | "clear_all">,
        fc.integer({ min: 4, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (type, position, delta) => {
          const hours = type === "once" ? 6 : type === "clear_all" ? 24 : 5;
          const code = offlineCode(KEY, { type, startHour: H, hours });
          const digit = (Number(code.charAt(position)) + delta) % 10;
          const changed = `${code.slice(0, position)}${digit}${code.slice(position + 1)}`;
          expect(typeAt(emptyOfflineMemory, changed, at(H, 60)).verdict.kind).toBe("refused");
          expect(typeAt(emptyOfflineMemory, code, at(H, 60)).verdict.kind).toBe("open");
        },
      ),
    );
  });
});
