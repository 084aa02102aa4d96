import { describe, expect, it } from "vitest";
import { splitByRate } from "./rate-split.ts";

describe("splitByRate", () => {
  it("gives back the work per round trip and per second that made two counts", () => {
    // 118,000 a round trip and 7,000,000 a second: 188,000 at 100/s, 258,000 at 50/s.
    const split = splitByRate({ perRoundTrip: 188_000, rate: 100 }, { perRoundTrip: 258_000, rate: 50 });
    expect(split.perRoundTrip).toBeCloseTo(118_000, 6);
    expect(split.perSecond).toBeCloseTo(7_000_000, 3);
    const swapped = splitByRate({ perRoundTrip: 258_000, rate: 50 }, { perRoundTrip: 188_000, rate: 100 });
    expect(swapped.perRoundTrip).toBeCloseTo(118_000, 6);
    expect(swapped.perSecond).toBeCloseTo(7_000_000, 3);
  });

  it("finds no work per second when the count does not move with the rate", () => {
    const split = splitByRate({ perRoundTrip: 90_000, rate: 100 }, { perRoundTrip: 90_000, rate: 50 });
    expect(split.perRoundTrip).toBe(90_000);
    expect(split.perSecond).toBeCloseTo(0, 9);
  });

  it("refuses one rate twice, naming both", () => {
    expect(() => splitByRate({ perRoundTrip: 1, rate: 100 }, { perRoundTrip: 2, rate: 100 })).toThrow(
      "two different rates are needed to split a count, got 100 and 100",
    );
  });
});
