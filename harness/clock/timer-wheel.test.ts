import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.ts";
import { TimerWheel } from "./timer-wheel.ts";
import { VirtualClock } from "./virtual-clock.ts";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

describe("TimerWheel", () => {
  it("lets go of a callback once its timer is cancelled or has fired, while the timer itself is kept", async () => {
    const clock = new VirtualClock();
    const wheel = new TimerWheel(clock, { tickMs: 20 });
    const kept: unknown[] = [];
    const captured = (name: string, delayMs: number) => {
      const socket = { name, bytes: new Uint8Array(1024) };
      const timer = wheel.setTimeout(() => kept.push(socket.name), delayMs, name);
      return { timer, socket: new WeakRef(socket) };
    };
    const cancelled = captured("cancelled", 100);
    const fired = captured("fired", 100);
    const pending = captured("pending", 10_000);
    cancelled.timer.cancel();
    clock.advance(200);
    // A WeakRef's target stays alive until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(kept).toEqual(["fired"]);
    expect([cancelled, fired, pending].map((t) => t.socket.deref()?.name)).toEqual([
      undefined,
      undefined,
      "pending",
    ]);
    expect([cancelled.timer.name, fired.timer.name, pending.timer.name]).toEqual([
      "cancelled",
      "fired",
      "pending",
    ]);
  });

  it("fires each timeout within one tick after its due time, in due order", () => {
    const driver = new VirtualClock();
    const wheel = new TimerWheel(driver, { tickMs: 10, slots: 8 });
    const start = driver.now();
    const fired: Array<[string, number]> = [];
    for (const [name, delay] of [
      ["c", 250],
      ["a", 5],
      ["b", 100],
      ["d", 1000],
    ] as const)
      wheel.setTimeout(() => fired.push([name, driver.now() - start]), delay, name);
    driver.advance(2000);
    expect(fired.map(([n]) => n)).toEqual(["a", "b", "c", "d"]);
    for (const [name, at] of fired) {
      const due = { a: 5, b: 100, c: 250, d: 1000 }[name as "a"];
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at).toBeLessThan(due + 10 + 1);
    }
    expect(wheel.pending).toBe(0);
    expect(driver.timerCount()).toBe(0);
  });

  it("keeps scheduling order within a tick, cancels, and repeats intervals", () => {
    const driver = new VirtualClock();
    const wheel = new TimerWheel(driver, { tickMs: 20 });
    const log: string[] = [];
    wheel.setTimeout(() => log.push("first"), 15);
    const gone = wheel.setTimeout(() => log.push("cancelled"), 15);
    wheel.setTimeout(() => log.push("second"), 18);
    gone.cancel();
    gone.cancel();
    let beats = 0;
    const beat = wheel.setInterval(() => beats++, 100, "heartbeat");
    driver.advance(1000);
    expect(log).toEqual(["first", "second"]);
    expect(beats).toBe(10);
    expect(wheel.pending).toBe(1);
    beat.cancel();
    expect(wheel.pending).toBe(0);
    expect(driver.timerCount()).toBe(0);
  });

  it("runs timers scheduled from a callback on a later tick, and jumps ahead after idling", () => {
    const driver = new VirtualClock();
    const wheel = new TimerWheel(driver, { tickMs: 10, slots: 4 });
    const at: number[] = [];
    const start = driver.now();
    wheel.setTimeout(() => {
      at.push(driver.now() - start);
      wheel.setTimeout(() => at.push(driver.now() - start), 0);
    }, 30);
    driver.advance(100);
    expect(at).toEqual([30, 40]);
    driver.advance(3_600_000);
    wheel.setTimeout(() => at.push(driver.now() - start), 45);
    driver.advance(100);
    expect(at[2]).toBeGreaterThanOrEqual(3_600_100 + 45);
    expect(at[2]).toBeLessThanOrEqual(3_600_100 + 55);
  });

  it("yields between two timers of one tick when asked, and goes on in order once the owner's I/O has run", () => {
    const driver = new VirtualClock();
    const continuations: Array<() => void> = [];
    const wheel = new TimerWheel(driver, {
      tickMs: 20,
      yieldBetweenTimers: (next) => continuations.push(next),
    });
    const log: string[] = [];
    for (const name of ["a", "b", "c", "d"]) wheel.setTimeout(() => log.push(name), 10, name);
    const later = wheel.setTimeout(() => log.push("later"), 30, "later");
    const dropped = wheel.setTimeout(() => log.push("dropped"), 10, "dropped");
    driver.advance(20);
    expect(log).toEqual(["a"]);
    // Ticks of the driver meanwhile fire nothing: the tick being fired goes on only through its continuation.
    driver.advance(40);
    expect(log).toEqual(["a"]);
    dropped.cancel();
    continuations.shift()?.();
    expect(log).toEqual(["a", "b"]);
    while (continuations.length > 0) continuations.shift()?.();
    // The rest of the tick, then the ticks the driver passed meanwhile.
    expect(log).toEqual(["a", "b", "c", "d", "later"]);
    expect(later.name).toBe("later");
    expect(wheel.pending).toBe(0);
    expect(driver.timerCount()).toBe(0);
  });

  it("tells how late it fires each timer beyond its resolution: its driver late, or a tick still firing", () => {
    // A driver whose interval runs only when the test says, at the time the test sets.
    let now = 0;
    let driverTick = () => {};
    const driver: Clock = {
      now: () => now,
      setTimeout: () => ({ name: "unused", cancel: () => {} }),
      setInterval: (callback) => {
        driverTick = callback;
        return { name: "driver", cancel: () => {} };
      },
      realWork: (_name, work) => work,
    };
    const continuations: Array<() => void> = [];
    const late: number[] = [];
    const wheel = new TimerWheel(driver, {
      tickMs: 20,
      yieldBetweenTimers: (next) => continuations.push(next),
      recordLate: (ms) => late.push(ms),
    });
    const timer = (name: string, delayMs: number) => wheel.setTimeout(() => {}, delayMs, name);
    // On time: the driver runs within the tick after the timer's (due at 10: tick 1, from 20 to 40).
    timer("on time", 10);
    now = 39;
    driverTick();
    // The driver 130 ms late: a timer due at 50 (tick 3, from 60 to 80) fires at 210.
    timer("driver late", 11);
    now = 210;
    driverTick();
    // Three timers of one tick (tick 11, from 220 to 240), the wheel yielding between two to I/O that took 25 ms.
    for (const name of ["first", "second", "third"]) timer(name, 5);
    now = 225;
    driverTick();
    for (const at of [250, 275]) {
      now = at;
      continuations.shift()?.();
    }
    expect(late).toEqual([0, 130, 0, 10, 35]);
  });

  test.prop(
    [
      fc.array(fc.record({ delay: fc.integer({ min: 0, max: 5000 }), cancel: fc.boolean() }), {
        maxLength: 60,
      }),
      fc.constantFrom(1, 7, 20),
      fc.constantFrom(2, 16, 1024),
    ],
    { numRuns: 100 },
  )(
    "fires exactly the uncancelled timers, each in [due, due + tick], in due order",
    (plan, tickMs, slots) => {
      const driver = new VirtualClock();
      const wheel = new TimerWheel(driver, { tickMs, slots });
      const start = driver.now();
      const fired: Array<{ index: number; at: number }> = [];
      const timers = plan.map((p, index) =>
        wheel.setTimeout(() => fired.push({ index, at: driver.now() - start }), p.delay),
      );
      plan.forEach((p, i) => {
        if (p.cancel) timers[i]?.cancel();
      });
      driver.advance(6000 + 2 * tickMs);
      const expected = plan.flatMap((p, index) => (p.cancel ? [] : [index]));
      expect(fired.map((f) => f.index).sort((a, b) => a - b)).toEqual(expected);
      for (const f of fired) {
        const due = plan[f.index]?.delay ?? 0;
        expect(f.at).toBeGreaterThanOrEqual(due);
        expect(f.at).toBeLessThanOrEqual(due + tickMs);
      }
      // A timer's tick: the first at or after its due time, and never the tick it was scheduled in.
      const dues = fired.map((f) => Math.max(1, Math.ceil((plan[f.index]?.delay ?? 0) / tickMs)));
      expect(dues).toEqual([...dues].sort((a, b) => a - b));
      expect(wheel.pending).toBe(0);
    },
  );
});
