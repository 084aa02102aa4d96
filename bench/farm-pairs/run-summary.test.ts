import { describe, expect, it } from "vitest";
import { aim1Met, aim2Met } from "./run-summary.ts";
import { sampleRun } from "./sample-run.ts";

describe("aims 1 and 2 of a run", () => {
  const run = sampleRun({
    onlinePerSecond: 1970,
    loginP99Ms: 999,
    steadyHeartbeat: { p50: 1, p99: 49.9, p999: 199.9 },
  });
  it("meets them at their bounds, and not past them", () => {
    expect([aim1Met(run), aim2Met(run)]).toEqual([true, true]);
    expect(aim1Met({ ...run, steadyHeartbeat: { p50: 1, p99: 50, p999: 100 } })).toBe(false);
    expect(aim1Met({ ...run, steadyHeartbeat: { p50: 1, p99: 40, p999: 200 } })).toBe(false);
    expect(aim1Met({ ...run, onlineAtEnd: 99_999 })).toBe(false);
    expect(aim1Met({ ...run, errors: 1 })).toBe(false);
    expect(aim1Met({ ...run, steadyHeartbeat: undefined })).toBe(false);
    expect(aim2Met({ ...run, onlinePerSecond: 1969 })).toBe(false);
    expect(aim2Met({ ...run, loginP99Ms: 1000 })).toBe(false);
    expect(aim2Met({ ...run, loginTimeouts: 1 })).toBe(false);
    expect(aim2Met({ ...run, onlinePerSecond: undefined })).toBe(false);
  });
});
