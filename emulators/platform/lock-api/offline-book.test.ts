import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  emptyOfflineMemory,
  HOUR_S,
  lockLocalKey,
  offlinePasswordId,
  verifyLockCode,
} from "../../../harness/protocol/lock-api/offline-code.ts";
import { OfflineBook } from "./offline-book.ts";

const KEY = lockLocalKey("book-pin-000000000000000000000001", "lock-b");
/** 2026-11-30 10:00:00 UTC, and a time 11 min 12 s into that hour. */
const H = Math.floor(Date.UTC(2026, 10, 30, 10) / 1000 / HOUR_S);
const NOW = H * HOUR_S + 672;

describe("the offline password book (what the cloud keeps of the codes it hands out)", () => {
  it("once and clear_all start at the current hour, for 6 and 24 hours (seed lines 1181-1188); each once differs", () => {
    const book = new OfflineBook();
    const once = book.issue("lock-b", KEY, { type: "once", name: "guest" }, NOW);
    const again = book.issue("lock-b", KEY, { type: "once" }, NOW);
    const clear = book.issue("lock-b", KEY, { type: "clear_all" }, NOW);
    expect(once).toMatchObject({
      ok: true,
      password: { type: "once", name: "guest", effectiveTime: H * HOUR_S, invalidTime: (H + 6) * HOUR_S },
    });
    expect(clear).toMatchObject({
      ok: true,
      password: { effectiveTime: H * HOUR_S, invalidTime: (H + 24) * HOUR_S },
    });
    if (!once.ok || !again.ok) throw new Error("issued");
    expect(again.password.code).not.toBe(once.password.code);
    expect(once.password.id).toBe(offlinePasswordId(KEY, once.password.code));
    expect(book.list("lock-b")).toHaveLength(3);
  });

  it("multiple takes the hours of the times given (lines 1184, 1189); the same window answers the same password", () => {
    const book = new OfflineBook();
    const request = { type: "multiple" as const, effectiveTime: NOW + 3600, invalidTime: NOW + 5 * 3600 };
    const first = book.issue("lock-b", KEY, { ...request, name: "a" }, NOW);
    expect(first).toMatchObject({
      ok: true,
      password: { effectiveTime: (H + 1) * HOUR_S, invalidTime: (H + 5) * HOUR_S, name: "a" },
    });
    const second = book.issue("lock-b", KEY, { ...request, name: "b" }, NOW);
    if (!first.ok || !second.ok) throw new Error("issued");
    expect(second.password).toBe(first.password);
    expect(second.password.name).toBe("b");
    expect(book.list("lock-b")).toHaveLength(1);
  });

  it("refuses a window of no whole hour or over 999, and a clear_one of an unknown or non-multiple code", () => {
    const book = new OfflineBook();
    expect(
      book.issue("lock-b", KEY, { type: "multiple", effectiveTime: NOW, invalidTime: NOW + 60 }, NOW),
    ).toMatchObject({
      ok: false,
      reason: "INVALID_PARAM",
      field: "invalid_time",
    });
    const long = { type: "multiple" as const, effectiveTime: NOW, invalidTime: NOW + 1000 * HOUR_S };
    expect(book.issue("lock-b", KEY, long, NOW)).toMatchObject({ ok: false, field: "invalid_time" });
    expect(book.issue("lock-b", KEY, { type: "clear_one", passwordId: "1" }, NOW)).toMatchObject({
      ok: false,
      reason: "NOT_FOUND",
      field: "password_id",
    });
    const once = book.issue("lock-b", KEY, { type: "once" }, NOW);
    if (!once.ok) throw new Error("issued");
    expect(book.issue("lock-b", KEY, { type: "clear_one", passwordId: once.password.id }, NOW)).toMatchObject(
      {
        ok: false,
        reason: "INVALID_PARAM",
      },
    );
  });

  it("a clear_one code voids at the lock the multiple code it names; rename keeps the code", () => {
    const book = new OfflineBook();
    const multiple = book.issue(
      "lock-b",
      KEY,
      { type: "multiple", effectiveTime: NOW, invalidTime: NOW + 7200 },
      NOW,
    );
    if (!multiple.ok) throw new Error("issued");
    const clear = book.issue("lock-b", KEY, { type: "clear_one", passwordId: multiple.password.id }, NOW);
    if (!clear.ok) throw new Error("issued");
    expect(clear.password).toMatchObject({ effectiveTime: H * HOUR_S, invalidTime: (H + 24) * HOUR_S });
    let memory = verifyLockCode(KEY, emptyOfflineMemory, multiple.password.code, NOW).memory;
    memory = verifyLockCode(KEY, memory, clear.password.code, NOW + 60).memory;
    expect(verifyLockCode(KEY, memory, multiple.password.code, NOW + 120).verdict.kind).toBe("refused");

    expect(book.rename("lock-b", multiple.password.id, "hall")).toMatchObject({
      ok: true,
      password: { name: "hall" },
    });
    expect(book.get("lock-b", multiple.password.id)?.code).toBe(multiple.password.code);
    expect(book.rename("lock-b", "42", "x")).toMatchObject({ ok: false, reason: "NOT_FOUND" });
    expect(book.rename("lock-c", multiple.password.id, "x")).toMatchObject({
      ok: false,
      reason: "NOT_FOUND",
    });
  });

  it("keeps each advanced password's phase by lock and type", () => {
    const book = new OfflineBook();
    expect(book.advanced("lock-b", "admin")).toBeUndefined();
    book.setAdvanced("lock-b", "admin", 1);
    book.setAdvanced("lock-b", "admin", 2);
    book.setAdvanced("lock-b", "emergency", 3);
    expect([book.advanced("lock-b", "admin"), book.advanced("lock-b", "emergency")]).toEqual([2, 3]);
    expect(book.advanced("lock-c", "admin")).toBeUndefined();
  });

  it("property: every code the book hands out opens its lock at the start of its window and names its id", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("once", "clear_all", "multiple") as fc.Arbitrary<"once" | "clear_all" | "multiple">,
        fc.integer({ min: 0, max: 3 * HOUR_S }),
        fc.integer({ min: 1, max: 48 }),
        (type, offset, hours) => {
          const book = new OfflineBook();
          const now = NOW + offset;
          const answer = book.issue(
            "lock-b",
            KEY,
            { type, effectiveTime: now, invalidTime: now + hours * HOUR_S },
            now,
          );
          if (!answer.ok) throw new Error(answer.message);
          const { password } = answer;
          expect(
            verifyLockCode(KEY, emptyOfflineMemory, password.code, password.effectiveTime).verdict,
          ).toEqual({
            kind: "open",
            type,
            id: password.id,
          });
        },
      ),
    );
  });
});
