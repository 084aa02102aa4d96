import { describe, expect, it } from "vitest";
import { ALPHANUMERIC, cryptoRandom, newToken, seededRandom } from "./random.ts";

describe("seededRandom", () => {
  it("one seed reproduces the same draws", () => {
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return [r.sequence(), r.int(1, 6), newToken(r), r.bytes(4).toString("hex"), r.string(8, "01")];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it("a fork depends on the seed and its label only, not on what the parent drew before", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let i = 0; i < 100; i++) b.int(0, 1000);
    expect(newToken(a.fork("device/17"))).toBe(newToken(b.fork("device/17")));
    expect(newToken(a.fork("device/17"))).not.toBe(newToken(a.fork("device/18")));
  });

  it("stays in range: sequences 0..65535, tokens of 16 letters and digits", () => {
    const r = seededRandom(1);
    for (let i = 0; i < 10_000; i++) {
      const s = r.sequence();
      expect(s >= 0 && s <= 65535 && Number.isInteger(s)).toBe(true);
    }
    const token = newToken(r);
    expect(token).toHaveLength(16);
    expect([...token].every((c) => ALPHANUMERIC.includes(c))).toBe(true);
  });

  it("draws the same strings as it always has for a seed: fleets' PINs and registries made from them depend on it", () => {
    const r = seededRandom(20261203);
    expect([r.string(32), newToken(r), r.string(8, "01"), r.string(5, "€ab"), r.string(0)]).toEqual([
      "aiTrL3tFO5GNFLewBLRyPjHPnsQ01Rbs",
      "66Q8VPrJYDd90z5V",
      "10101111",
      "€aa€a",
      "",
    ]);
    expect(r.fork("pin/x").string(32)).toBe("fyI059BvsXavlLW9Avn01GkyHcH0xgIs");
    const long = r.string(10_000, "xyz");
    expect(long).toHaveLength(10_000);
    expect(long).toMatch(/^[xyz]+$/);
    expect(new Set(long)).toEqual(new Set("xyz"));
  });

  it("refuses a seed that is not an integer", () => {
    expect(() => seededRandom(1.5)).toThrow(/seed must be an integer/);
  });
});

describe("cryptoRandom", () => {
  it("has the same shape and ranges, and no seed", () => {
    const r = cryptoRandom();
    expect(r.seed).toBeUndefined();
    expect(newToken(r)).toMatch(/^[A-Za-z0-9]{16}$/);
    const s = r.sequence();
    expect(s >= 0 && s <= 65535).toBe(true);
    expect(r.bytes(16)).toHaveLength(16);
    expect(r.string(9_000, "ab")).toMatch(/^[ab]{9000}$/);
  });
});
