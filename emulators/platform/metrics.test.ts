import { describe, expect, it } from "vitest";
import { histogramPercentileBound } from "../farm/platform-counters.ts";
import { PlatformMetrics } from "./metrics.ts";

describe("the platform's own delay", () => {
  it("counts a stall as the samples it hid, so that its p99 reads as the delay a frame would have met", async () => {
    const metrics = new PlatformMetrics();
    for (let i = 0; i < 950; i++) metrics.recordOwnDelay(0, 10);
    metrics.recordOwnDelay(500, 10);
    const text = await metrics.text();
    // 950 on time, the 500 ms run, and the 49 runs it kept from happening (490, 480, ... 10 ms late).
    expect(text).toMatch(/^hilfarm_platform_own_delay_ms_count 1000$/m);
    expect(text).toMatch(/^hilfarm_platform_own_delay_ms_bucket\{le="1"\} 950$/m);
    expect(histogramPercentileBound(text, "hilfarm_platform_own_delay_ms", 99)).toBe(500);
    expect(histogramPercentileBound(text, "hilfarm_platform_own_delay_ms", 95)).toBe(1);
  });
});
