import { describe, expect, it } from "vitest";
import { parseFaults } from "./parse-faults.ts";

describe("parseFaults", () => {
  it("reads names, numbers and a direction", () => {
    expect(parseFaults("latency=200, jitter=50,drop=0.05,direction=up")).toMatchObject({
      latencyMs: 200,
      jitterMs: 50,
      drop: 0.05,
      direction: "up",
      duplicate: 0,
    });
  });

  it("names the fault and the value that are wrong", () => {
    expect(() => parseFaults("drop=1.5")).toThrow('--faults drop must be a number in 0..1, got "1.5"');
    expect(() => parseFaults("lag=5")).toThrow(/unknown fault "lag"/);
    expect(() => parseFaults("direction=sideways")).toThrow(
      /direction must be up, down or both, got "sideways"/,
    );
  });
});
