import { describe, expect, it } from "vitest";
import { finish, s, started } from "../../emulators/farm/testing/farm.ts";
import { buildLoadReport, type LoadRunDescription } from "./build-load-report.ts";

const MiB = 2 ** 20;
const run: LoadRunDescription = {
  seed: 1,
  devices: 10,
  platform: "127.0.0.1:8700",
  description: "a platform",
  broker: "embedded",
  profile: { rampPerSecond: 10, steadySeconds: 5, churnPerSecond: 0, controlsPerSecond: 0, stopOn: [] },
};

describe("buildLoadReport", () => {
  it("gives the workers' memory per device at the end and at their peak, each above the worker's baseline", () => {
    const outcome = finish(started({}, "w1", "w2").state, {
      baselineRssBytes: 80 * MiB,
      rssBytes: 90 * MiB,
      peakRssBytes: 100 * MiB,
    });
    const { totals } = buildLoadReport(outcome, run);
    // Two workers of five devices each.
    expect(totals.rssBytesPerDevice).toBe((2 * 10 * MiB) / 10);
    expect(totals.peakRssBytesPerDevice).toBe((2 * 20 * MiB) / 10);
    expect(totals.workerRssBytes).toBe(180 * MiB);
    expect(totals.workerPeakRssBytes).toBe(200 * MiB);
  });

  it("leaves the peak out when a worker did not report one (a worker of an earlier version)", () => {
    const outcome = finish(started({}, "w1", "w2").state, { baselineRssBytes: 80 * MiB, rssBytes: 90 * MiB });
    const { totals } = buildLoadReport(outcome, run);
    expect(totals.rssBytesPerDevice).toBe(2 * MiB);
    expect(totals).not.toHaveProperty("peakRssBytesPerDevice");
    expect(totals).not.toHaveProperty("workerPeakRssBytes");
  });

  it("sums the seconds the workers' main threads waited for a core, and leaves the sum out when a worker lacks it", () => {
    const outcome = finish(started({}, "w1", "w2").state, { coreWaitSeconds: 12.5 });
    const report = buildLoadReport(outcome, run);
    expect(report.workers.map((w) => w.coreWaitSeconds)).toEqual([12.5, 12.5]);
    expect(report.totals.workerCoreWaitSeconds).toBe(25);
    // Workers of an earlier version, or off Linux.
    const older = buildLoadReport(finish(started({}, "w1", "w2").state), run);
    expect(older.workers[0]).not.toHaveProperty("coreWaitSeconds");
    expect(older.totals).not.toHaveProperty("workerCoreWaitSeconds");
  });

  it("gives the ramp's first power-on as a date, the rest as seconds after it, by the workers' clocks", () => {
    const outcome = finish(started({}, "w1", "w2").state, {
      firstPowerOnAt: s(0.02),
      lastPowerOnAt: s(1),
      allOnlineAt: s(1.25),
    });
    expect(buildLoadReport(outcome, run).ramp).toEqual({
      firstPowerOnAt: new Date(s(0.02)).toISOString(),
      lastPowerOnSeconds: 0.98,
      allOnlineSeconds: 1.23,
    });
    expect(buildLoadReport(finish(started({}, "w1", "w2").state), run)).not.toHaveProperty("ramp");
    // Workers' clocks an hour ahead of the coordinator's: no ramp, and the report says why.
    const skewed = buildLoadReport(finish(started({}, "w1", "w2").state, { firstPowerOnAt: s(3600) }), run);
    expect(skewed).not.toHaveProperty("ramp");
    expect(skewed.rampUntimed).toBe("worker w1's clock is more than a minute off the coordinator's");
  });

  it("gives the ramp's hold as the run set it, and the workers' own when the run set none", () => {
    const outcome = finish(started({}, "w1", "w2").state);
    expect(buildLoadReport(outcome, run).profile.rampHold).toBe(100);
    const off = { ...run, profile: { ...run.profile, rampHold: "off" as const } };
    expect(buildLoadReport(outcome, off).profile.rampHold).toBe("off");
    const late = { ...run, profile: { ...run.profile, rampHold: 250 } };
    expect(buildLoadReport(outcome, late).profile.rampHold).toBe(250);
  });
});
