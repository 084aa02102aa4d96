import { describe, expect, it } from "vitest";
import { stolenCpuSeconds, stolenPercent } from "./cpu-steal.ts";

describe("CPU steal", () => {
  it("reads the steal column of /proc/stat's first line, in seconds", () => {
    const stat = "cpu  481171 0 50915 417784 3236 0 6552 38337 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
    expect(stolenCpuSeconds(() => stat)).toBe(383.37);
  });

  it("knows nothing where /proc/stat is missing or not what it expects", () => {
    expect(
      stolenCpuSeconds(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
    expect(stolenCpuSeconds(() => "intr 1 2 3")).toBeUndefined();
  });

  it("gives the share of all cores stolen between two readings", () => {
    expect(stolenPercent(10, 14, 20, 2)).toBe(10);
    expect(stolenPercent(undefined, 14, 20, 2)).toBeUndefined();
    expect(stolenPercent(10, 10, 0, 2)).toBeUndefined();
  });
});
