import { fc, test } from "@fast-check/vitest";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { type EncodedLatencies, LatencyHistograms } from "./latency-histograms.ts";
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
    // Added one worker at a time with a kind read in between, as the coordinator reads a kind while others wait.
    const merged = new LatencyHistograms();
    for (const [i, one] of encoded.entries()) {
      merged.add(one);
      merged.count(loadLatencyKinds[i % loadLatencyKinds.length] ?? "heartbeat");
    }
    const union = new LatencyHistograms();
    for (const s of workers.flat()) union.record(s.kind, s.ms);
    for (const kind of loadLatencyKinds) {
      expect(merged.summary(kind)).toEqual(union.summary(kind));
      expect(merged.count(kind)).toBe(workers.flat().filter((s) => s.kind === kind).length);
    }
    // Every bucket the same (histograms that grew in different steps differ only in their encoded size).
    expect(bucketsOf(merged.encode())).toEqual(bucketsOf(union.encode()));
  });

  it("an encoding that does not decode adds nothing, and the others of its kind still count", () => {
    const h = new LatencyHistograms();
    h.record("heartbeat", 2);
    const merged = new LatencyHistograms();
    merged.add({ heartbeat: "HISTFAAAAnot-a-histogram" });
    merged.add(h.encode());
    merged.add({ heartbeat: "%%%" });
    expect(merged.count("heartbeat")).toBe(1);
    expect(merged.percentile("heartbeat", 99)).toBeCloseTo(2, 1);
  });

  it("encodes a kind again once it has new samples", () => {
    const h = new LatencyHistograms();
    h.record("heartbeat", 1);
    const first = h.encode();
    expect(h.encode()).toEqual(first);
    h.record("heartbeat", 2);
    h.record("login", 3);
    const second = h.encode();
    expect(second.heartbeat).not.toBe(first.heartbeat);
    expect(LatencyHistograms.merge([second]).count("heartbeat")).toBe(2);
    expect(LatencyHistograms.merge([second]).count("login")).toBe(1);
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

/** Each kind's recorded values (HDR's equivalent value) and counts, read back from the encoding. */
function bucketsOf(encoded: EncodedLatencies): Record<string, Array<[number, number]>> {
  const out: Record<string, Array<[number, number]>> = {};
  for (const [kind, text] of Object.entries(encoded)) {
    const histogram = hdr.decodeFromCompressedBase64(text, 32, false) as hdr.JsHistogram;
    const values = histogram.recordedValuesIterator;
    values.reset();
    const buckets: Array<[number, number]> = [];
    while (values.hasNext()) {
      const value = values.next();
      buckets.push([value.valueIteratedTo, value.countAtValueIteratedTo]);
    }
    out[kind] = buckets;
  }
  return out;
}
