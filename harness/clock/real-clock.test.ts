import { describe, expect, it } from "vitest";
import { RealClock } from "./real-clock.ts";

/**
 * Timeouts armed at staggered moments, each with a short delay: how many fired before `now() + delay`, and by how
 * much at most.
 */
async function earlyFirings(clock: RealClock, count: number): Promise<{ early: number; worstMs: number }> {
  let early = 0;
  let worstMs = 0;
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            const delay = 1 + (i % 7);
            const armedAt = clock.now();
            clock.setTimeout(() => {
              const short = delay - (clock.now() - armedAt);
              if (short > 0) {
                early++;
                worstMs = Math.max(worstMs, short);
              }
              resolve();
            }, delay);
          }, i % 50),
        ),
    ),
  );
  return { early, worstMs };
}

describe("RealClock", () => {
  // Node's timers run on the event loop's monotonic clock in whole milliseconds, `now()` is the wall clock: a
  // Node timer fires up to 1 ms before `now() + delay` about one time in five on this kind of machine. A requester
  // that reads the clock when its deadline timer fires (5.2: resend after 10 s, give up after the third send) then
  // finds the deadline not reached and would wait forever; the clock waits out the rest instead.
  it("fires a timeout no earlier than now() + delay", async () => {
    expect(await earlyFirings(new RealClock(), 1_000)).toEqual({ early: 0, worstMs: 0 });
  });

  it("waits out the rest of a delay by its own time, and a timeout cancelled meanwhile does not fire", async () => {
    // A wall clock that stands still until the test moves it: every Node timer fires early by it.
    let wall = 0;
    const clock = new RealClock(() => wall);
    const afterNode = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    let firedAt: number | undefined;
    clock.setTimeout(() => {
      firedAt = clock.now();
    }, 2);
    const cancelled = clock.setTimeout(() => {
      firedAt = -1;
    }, 2);
    // Node's 2 ms timers have fired and found the clock at 0: each waits out 2 ms more (due at 4 ms or later).
    await afterNode(3);
    expect(firedAt).toBeUndefined();
    cancelled.cancel();
    wall = 2;
    await afterNode(10);
    expect(firedAt).toBe(2);
  });
});
