import { describe, expect, it } from "vitest";
import { roundsVerdict, twoPlaces } from "./round-verdict.ts";

const under10 = (p99: number) => p99 < 10;

describe("an aim judged over a benchmark's rounds", () => {
  it("is met in every round when each round's figure, as printed, meets it", () => {
    expect(roundsVerdict([8.5, 9.41, 9.994], 9.41, under10, "rounds 8.50-9.99")).toBe("met in every round");
  });

  it("is met by the median when some rounds miss it, and says where the rounds fell", () => {
    expect(roundsVerdict([8.52, 9.41, 10.47], 9.41, under10, "rounds 8.52-10.47")).toBe(
      "met by the median, not in every round (rounds 8.52-10.47)",
    );
  });

  it("is not met when the median misses it, a figure printed as 10.00 included", () => {
    expect(roundsVerdict([9.2, 9.996, 11.56], 9.996, under10, "rounds 9.20-11.56")).toBe("**not met**");
    expect(twoPlaces(9.996)).toBe(10);
  });

  it("is not measured without rounds", () => {
    expect(roundsVerdict([], 1.2, (r) => r <= 1.5, "no rounds")).toBe("not measured");
  });
});
