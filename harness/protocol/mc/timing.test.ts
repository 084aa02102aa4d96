import { describe, expect, it } from "vitest";
import { mcTimingDefaults, offlineAfterMs } from "./timing.ts";

describe("Mc timing defaults (docs/protocol-readings.md, Timing defaults)", () => {
  it("are the spec's values", () => {
    expect(mcTimingDefaults).toEqual({
      responseTimeoutMs: 10_000,
      maxFailedSends: 3,
      heartbeatSeconds: 30,
      offlineHeartbeats: 3,
      offlineGraceMs: 10_000,
      loginRetryMs: 60_000,
      loginRetries: 3,
      authIntervalSeconds: 600,
      stateReportWithinMs: 10_000,
      resourceReportGapHeartbeats: 4,
      tcpAfterAuthentications: 3,
    });
  });

  it("5.4.2.3: offline after 3 heartbeat intervals + 10 s", () => {
    expect(offlineAfterMs(30)).toBe(100_000);
    expect(offlineAfterMs(45, 3, 10_000)).toBe(145_000);
    expect(offlineAfterMs(20, 4, 0)).toBe(80_000);
  });
});
