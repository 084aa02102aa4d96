import { describe, expect, it } from "vitest";
import { RAMP_HOLD_LATE_MS, RampPacing } from "./ramp-pacing.ts";

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

  it("holds while the worker runs more than 100 ms behind, and resumes at its rate without catching up", () => {
    const pacing = new RampPacing(500, 20);
    // Ticks 10-19 come while the worker's probe ran 150 ms late.
    const due = run(pacing, 30, (tick) => (tick >= 10 && tick < 20 ? 150 : 0));
    expect(due.slice(0, 10)).toEqual(Array(10).fill(10));
    expect(due.slice(10, 20)).toEqual(Array(10).fill(0));
    expect(due.slice(20)).toEqual(Array(10).fill(10));
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
    expect(pacing.due(420, 0)).toBe(10);
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
