import { describe, expect, it } from "vitest";
import { farmShareOfTail } from "./farm-delay.ts";
import { LatencyHistograms } from "./latency-histograms.ts";
import { type LatencySummary, type LoadReport, loadLatencyKinds } from "./load-report.ts";

describe("the farm's delay histogram", () => {
  it("makes a stall weigh as the samples it kept from being taken (coordinated omission)", () => {
    const histograms = new LatencyHistograms();
    for (let i = 0; i < 950; i++) histograms.record("farm-delay", 0, 10);
    histograms.record("farm-delay", 500, 10);
    const summary = histograms.summary("farm-delay");
    // The 500 ms sample and the 49 it hid (490, 480, ... 10 ms): 5 % of the time was spent in the stall.
    expect(summary.count).toBe(1000);
    expect(summary.p90).toBeLessThan(0.01);
    expect(summary.p99).toBeGreaterThan(390);
    expect(summary.max).toBeCloseTo(500, 0);
  });
});

describe("the farm's share of a tail", () => {
  const summary = (p99: number, count = 1000): LatencySummary => ({
    count,
    min: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p99,
    p999: p99,
    max: p99,
    buckets: [],
  });
  const report = {
    latency: {
      ...(Object.fromEntries(loadLatencyKinds.map((kind) => [kind, summary(0, 0)])) as LoadReport["latency"]),
      heartbeat: summary(18.2),
      "farm-delay": summary(1),
    },
  };
  const steady = (heartbeatP99: number, farmP99: number) => ({
    latency: report.latency,
    steady: {
      fromSeconds: 10,
      latency: { ...report.latency, heartbeat: summary(heartbeatP99), "farm-delay": summary(farmP99) },
    },
  });

  it("says the tail is the farm's when its own delay p99 reaches half the heartbeat's, over the steady window", () => {
    const farms = farmShareOfTail(steady(443.9, 390));
    expect(farms?.farmsTail).toBe(true);
    expect(farms?.text).toContain("the farm's own delay p99 (390.0 ms)");
    expect(farms?.text).toContain("steady heartbeat round trip's p99 (443.9 ms)");
    const platforms = farmShareOfTail(steady(443.9, 12));
    expect(platforms).toEqual({
      farmsTail: false,
      text: "the farm's own delay p99 (12.0 ms) against the steady heartbeat round trip's p99 (443.9 ms): under half, so the farm's own stalls do not explain that tail",
    });
  });

  it("does not blame the farm for a delay of a few clock readings, however small the round trip", () => {
    expect(farmShareOfTail(steady(1.5, 1))).toEqual({
      farmsTail: false,
      text: "the farm's own delay p99 (1.00 ms) against the steady heartbeat round trip's p99 (1.50 ms): the farm itself added no more than a few ms",
    });
    expect(farmShareOfTail(steady(8, 5))?.farmsTail).toBe(true);
  });

  it("reads the whole run when the run never became steady, and says nothing without both measures", () => {
    const whole = farmShareOfTail({ latency: report.latency });
    expect(whole?.text).toContain("against the heartbeat round trip's p99 (18.2 ms)");
    expect(whole?.farmsTail).toBe(false);
    expect(farmShareOfTail({ latency: { ...report.latency, "farm-delay": summary(0, 0) } })).toBeUndefined();
  });

  it("sets the login tail beside the farm's delay over the whole run, where the ramp's logins are", () => {
    const ramp = {
      latency: { ...report.latency, login: summary(1806.3), "farm-delay": summary(1811.5) },
      steady: { fromSeconds: 55, latency: { ...report.latency, "farm-delay": summary(6) } },
    };
    expect(farmShareOfTail(ramp, "login")).toEqual({
      farmsTail: true,
      text: "the farm's own delay p99 over the whole run (1811.5 ms) against the login round trip's p99 (1806.3 ms): at least half, so much of that tail is the farm's (its processes waited for a core or collected garbage), not the platform's; give the farm more cores or another machine",
    });
    const platforms = farmShareOfTail(
      { ...ramp, latency: { ...ramp.latency, "farm-delay": summary(40) } },
      "login",
    );
    expect(platforms?.farmsTail).toBe(false);
    expect(farmShareOfTail({ latency: report.latency }, "login")).toBeUndefined();
  });
});
