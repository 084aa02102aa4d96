import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { LatencyHistograms } from "./latency-histograms.ts";
import { loadLatencyKinds } from "./load-report.ts";

const sample = fc.record({
  kind: fc.constantFrom(...loadLatencyKinds),
  ms: fc.double({ min: 0.001, max: 60_000, noNaN: true }),
});

describe("LatencyHistograms", () => {
  test.prop([fc.array(fc.array(sample, { maxLength: 200 }), { minLength: 1, maxLength: 5 })], {
    numRuns: 60,
  })("merged worker histograms equal the histogram of the union of their samples", (workers) => {
    const encoded = workers.map((samples) => {
      const h = new LatencyHistograms();
      for (const s of samples) h.record(s.kind, s.ms);
      return h.encode();
    });
    const merged = LatencyHistograms.merge(encoded);
    const union = new LatencyHistograms();
    for (const s of workers.flat()) union.record(s.kind, s.ms);
    for (const kind of loadLatencyKinds) {
      expect(merged.summary(kind)).toEqual(union.summary(kind));
      expect(merged.count(kind)).toBe(workers.flat().filter((s) => s.kind === kind).length);
    }
    expect(merged.encode()).toEqual(union.encode());
  });

  it("reports percentiles in milliseconds at 3 significant digits, and nothing for a kind never measured", () => {
    const h = new LatencyHistograms();
    for (let i = 1; i <= 1000; i++) h.record("heartbeat", i / 10);
    const s = h.summary("heartbeat");
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.max).toBeCloseTo(100, 0);
    expect(s.min).toBeCloseTo(0.1, 2);
    expect(s.buckets.reduce((n, b) => n + b.count, 0)).toBe(1000);
    expect(s.buckets.at(-1)?.upToMs).toBe(100);
    expect(h.summary("control")).toMatchObject({ count: 0, buckets: [] });
    expect(h.encode().control).toBeUndefined();
  });
});
