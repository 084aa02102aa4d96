import { describe, expect, it } from "vitest";
import type { Clock, Timer } from "./clock.ts";
import { startDelayProbe } from "./delay-probe.ts";

/** A clock whose interval the test runs by hand, at whatever time it sets: a late run is a run at a later time. */
function handClock() {
  let now = 1_000;
  let tick: (() => void) | undefined;
  let cancelled = false;
  const clock: Clock = {
    now: () => now,
    setTimeout: () => {
      throw new Error("not used");
    },
    setInterval: (callback, _periodMs, name = "interval"): Timer => {
      tick = callback;
      return {
        name,
        cancel: () => {
          cancelled = true;
        },
      };
    },
    realWork: (_name, work) => work,
  };
  return {
    clock,
    runAt: (at: number) => {
      now = at;
      tick?.();
    },
    get cancelled() {
      return cancelled;
    },
  };
}

describe("a delay probe", () => {
  it("records how late each run of its timer came, and stops when cancelled", () => {
    const hand = handClock();
    const seen: Array<[number, number]> = [];
    const probe = startDelayProbe(hand.clock, (late, period) => seen.push([late, period]));
    hand.runAt(1_010); // on time
    hand.runAt(1_023); // 3 ms late
    hand.runAt(1_533); // a 500 ms stall
    hand.runAt(1_543);
    expect(seen).toEqual([
      [0, 10],
      [3, 10],
      [500, 10],
      [0, 10],
    ]);
    probe.cancel();
    expect(hand.cancelled).toBe(true);
  });
});
