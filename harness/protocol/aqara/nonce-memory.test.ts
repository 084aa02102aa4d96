import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { NonceMemory } from "./nonce-memory.ts";

const NOW = Date.UTC(2026, 0, 1);

describe("NonceMemory", () => {
  it("holds a nonce until its time plus the window, then forgets it", () => {
    const m = new NonceMemory(1000);
    m.remember("a", NOW, NOW);
    expect(m.seen("a", NOW + 1000)).toBe(true);
    expect(m.seen("a", NOW + 1001)).toBe(false);
    expect(m.size).toBe(0);
    // A push dated ahead of the clock is held from its own time.
    m.remember("b", NOW + 500, NOW);
    expect(m.seen("b", NOW + 1500)).toBe(true);
    expect(m.seen("b", NOW + 1501)).toBe(false);
  });

  it("never holds more than its capacity, forgetting the oldest first, and sees every nonce it still holds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 50 })), { maxLength: 80 }),
        (capacity, events) => {
          const m = new NonceMemory(100, capacity);
          let now = NOW;
          const held = new Map<string, number>();
          for (const [nonce, step] of events) {
            now += step;
            m.remember(nonce, now, now);
            held.delete(nonce);
            held.set(nonce, now + 100);
            for (const [n, until] of held) if (until < now) held.delete(n);
            while (held.size > capacity) held.delete(held.keys().next().value as string);
            expect(m.size).toBeLessThanOrEqual(capacity);
            for (const [n] of held) expect(m.seen(n, now)).toBe(true);
          }
        },
      ),
    );
  });

  it("refuses a window or capacity that is not a non-negative integer, naming it", () => {
    expect(() => new NonceMemory(-1)).toThrow(UsageError);
    expect(() => new NonceMemory(10, 0)).toThrow(/nonceCapacity/);
  });
});
