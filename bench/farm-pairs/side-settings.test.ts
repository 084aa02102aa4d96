import { afterEach, describe, expect, it, vi } from "vitest";
import { FARM_BENCH_SETTINGS, settingsInEnvironment, sideSettings, sideText } from "./side-settings.ts";

describe("a side's settings", () => {
  it("reads NAME=value words of bench:farm's settings", () => {
    expect(sideSettings("BENCH_PAIRS_B", " BENCH_FARM_WORKER_NICENESS=5  BENCH_FARM_RAMP_HOLD=off ")).toEqual(
      {
        BENCH_FARM_WORKER_NICENESS: "5",
        BENCH_FARM_RAMP_HOLD: "off",
      },
    );
    expect(sideSettings("BENCH_PAIRS_A", undefined)).toEqual({});
  });

  it("names the setting and the word it cannot read", () => {
    expect(() => sideSettings("BENCH_PAIRS_B", "BENCH_FARM_NICENESS=5")).toThrow(
      /BENCH_PAIRS_B must be NAME=value words, each NAME one of bench:farm's settings \(BENCH_FARM_DEVICES, .*\), got BENCH_FARM_NICENESS=5$/,
    );
    expect(() => sideSettings("BENCH_PAIRS_A", "--worker-niceness")).toThrow(/got --worker-niceness$/);
  });

  it("reads as its words, or as bench:farm's defaults", () => {
    expect(sideText({ BENCH_FARM_WORKER_NICENESS: "5" })).toBe("`BENCH_FARM_WORKER_NICENESS=5`");
    expect(sideText({})).toBe("bench:farm's defaults");
  });
});

describe("bench:farm's settings in the environment", () => {
  afterEach(() => vi.unstubAllEnvs());
  it("are NAME=value words in the Made by line's order, a value with a space quoted", () => {
    for (const name of FARM_BENCH_SETTINGS) vi.stubEnv(name, undefined);
    vi.stubEnv("HILFARM_NODE_FLAGS", "--max-semi-space-size=32 --trace-gc");
    vi.stubEnv("BENCH_FARM_RAMP", "2000");
    vi.stubEnv("BENCH_FARM_DEVICES", "100000");
    expect(settingsInEnvironment()).toEqual([
      "BENCH_FARM_DEVICES=100000",
      "BENCH_FARM_RAMP=2000",
      'HILFARM_NODE_FLAGS="--max-semi-space-size=32 --trace-gc"',
    ]);
  });
});
