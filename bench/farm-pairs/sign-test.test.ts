import { describe, expect, it } from "vitest";
import { leastSignTestP, showP, signTestP } from "./sign-test.ts";

describe("the sign test of bench:farm-pairs", () => {
  it("gives the two-sided chance of a split at least this lopsided among the pairs that differed", () => {
    expect(signTestP(10, 0)).toBe(2 / 1024);
    expect(signTestP(0, 10)).toBe(2 / 1024);
    expect(signTestP(7, 3)).toBe(352 / 1024);
    expect(signTestP(3, 7)).toBe(352 / 1024);
    expect(signTestP(9, 1)).toBe(22 / 1024);
    expect(signTestP(5, 0)).toBe(2 / 32);
    expect(signTestP(6, 0)).toBe(2 / 64);
  });

  it("is 1 for an even split, a single pair, or no pair that differed", () => {
    expect(signTestP(5, 5)).toBe(1);
    expect(signTestP(4, 5)).toBe(1);
    expect(signTestP(1, 0)).toBe(1);
    expect(signTestP(0, 0)).toBe(1);
  });

  it("names the least p a count of pairs can give, and prints two significant digits", () => {
    expect(leastSignTestP(5)).toBe(0.0625);
    expect(leastSignTestP(20)).toBe(2 / 2 ** 20);
    expect(showP(2 / 1024)).toBe("0.0020");
    expect(showP(352 / 1024)).toBe("0.34");
    expect(showP(leastSignTestP(20))).toBe("0.0000019");
    expect(showP(1)).toBe("1");
  });
});
