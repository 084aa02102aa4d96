import { describe, expect, it } from "vitest";
import { RAMP_CATCH_UP, RAMP_HOLD_LATE_MS, RampPacing } from "./ramp-pacing.ts";

/** The devices due at each of `ticks` ticks 20 ms apart from t=0, the worker `late(tick)` ms late at each. */
function run(pacing: RampPacing, ticks: number, late: (tick: number) => number = () => 0): number[] {
  return Array.from({ length: ticks }, (_, tick) => pacing.due(tick * 20, late(tick)));
}

describe("RampPacing", () => {
  it("spreads the rate over the ticks, a fraction carried to the next", () => {
    // 2,000 a second over six workers: 333.3 a second, 6.67 a 20 ms tick.
    const due = run(new RampPacing(2000 / 6, 20), 50);
    expect(due.reduce((a, b) => a + b, 0)).toBe(333);
    expect(new Set(due)).toEqual(new Set([6, 7]));
    // Under one a tick: one every few ticks.
    expect(run(new RampPacing(10, 20), 10)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it("holds while the worker runs more than 100 ms behind, then makes up what it held back at a quarter over its rate", () => {
    const pacing = new RampPacing(500, 20);
    // Ticks 10-19 come while the worker's probe ran 150 ms late: 100 devices held back.
    const due = run(pacing, 70, (tick) => (tick >= 10 && tick < 20 ? 150 : 0));
    const sum = (ticks: number[]) => ticks.reduce((a, b) => a + b, 0);
    expect(due.slice(0, 10)).toEqual(Array(10).fill(10));
    expect(due.slice(10, 20)).toEqual(Array(10).fill(0));
    // 12.5 a tick (10 and RAMP_CATCH_UP of it) until the 100 are made up, 40 ticks later; never a burst.
    expect(new Set(due.slice(20, 60))).toEqual(new Set([12, 13]));
    expect(sum(due.slice(20, 60))).toBe(500);
    expect(due.slice(60)).toEqual(Array(10).fill(10));
    // On time again: as many powered on as a ramp never held.
    expect(sum(due)).toBe(700);
    expect(pacing.held).toBe(200);
    expect(RAMP_CATCH_UP).toBe(0.25);
  });

  it("holds again while it makes up, and owes what each hold kept back", () => {
    const pacing = new RampPacing(500, 20);
    // Held at ticks 0-4 (50 owed), on time at 5-9 (12 or 13 each), held at 10-14 (50 more), then on time.
    const due = run(pacing, 80, (tick) => (tick < 5 || (tick >= 10 && tick < 15) ? 150 : 0));
    expect(due.slice(10, 15)).toEqual(Array(5).fill(0));
    expect(Math.max(...due)).toBe(13);
    expect(due.reduce((a, b) => a + b, 0)).toBe(800);
    expect(pacing.held).toBe(200);
  });

  it("holds only above its limit: a late probe at the limit is not behind", () => {
    const pacing = new RampPacing(500, 20);
    expect(pacing.due(0, RAMP_HOLD_LATE_MS)).toBe(10);
    expect(pacing.due(20, RAMP_HOLD_LATE_MS + 1)).toBe(0);
    expect(pacing.held).toBe(20);
  });

  it("counts the time held by the worker's clock, late ticks included", () => {
    const pacing = new RampPacing(500, 20);
    pacing.due(0, 0);
    // The worker stalled: the next tick ran 400 ms later, and the probe saw it late.
    expect(pacing.due(400, 380)).toBe(0);
    // The held tick's 10 are owed: 10 and a quarter of them now.
    expect(pacing.due(420, 0)).toBe(12);
    expect(pacing.held).toBe(400);
  });

  it("holds at the limit it is given (--ramp-hold)", () => {
    const pacing = new RampPacing(500, 20, 30);
    expect(pacing.due(0, 30)).toBe(10);
    expect(pacing.due(20, 31)).toBe(0);
    expect(pacing.held).toBe(20);
  });

  it("never holds with the hold off, however late the worker runs", () => {
    const pacing = new RampPacing(500, 20, "off");
    expect(run(pacing, 10, () => 60_000)).toEqual(Array(10).fill(10));
    expect(pacing.held).toBe(0);
  });
});
