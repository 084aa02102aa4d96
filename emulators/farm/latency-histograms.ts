import type { JsHistogram } from "hdr-histogram-js";
import * as hdr from "hdr-histogram-js";
import { type LatencySummary, type LoadLatencyKind, loadLatencyKinds } from "./load-report.ts";

/** Values are recorded in microseconds: loopback round trips are well under a millisecond. */
const MICROS = 1000;
/** Upper bounds (ms) of the buckets a report plots. */
const BUCKET_BOUNDS_MS = [
  0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000,
];

/**
 * Sized for the values it holds and grown as larger ones come: a histogram made for an hour at 3 significant digits
 * is 94 KB of counts, and the coordinator decodes and merges every worker's histograms once a second.
 */
function newHistogram(): JsHistogram {
  return hdr.build({
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  }) as JsHistogram;
}

/** Encoded histograms (HdrHistogram's compressed base64), as workers send them to the coordinator. */
export type EncodedLatencies = Partial<Record<LoadLatencyKind, string>>;

/**
 * One HDR histogram per round-trip kind. Histograms from several workers merge exactly: the merge of their
 * encodings equals the histogram of all their samples together.
 */
export class LatencyHistograms {
  private readonly histograms = new Map<LoadLatencyKind, JsHistogram>();
  /**
   * Encodings added and not yet decoded, by kind: a kind is decoded and merged when it is first read. The
   * coordinator merges every worker's histograms each second, and most seconds read only the heartbeat's.
   */
  private readonly pending = new Map<LoadLatencyKind, string[]>();
  /** The last encoding of each kind and the count it was made at: a kind with no new sample is not encoded again. */
  private readonly encoded = new Map<LoadLatencyKind, { count: number; text: string }>();

  /**
   * `expectedIntervalMs`, for samples taken at a fixed rate (the farm's delay probe): a sample late by several
   * intervals also stands for the samples that the stall kept from being taken (HdrHistogram's correction for
   * coordinated omission), so that a 500 ms stall weighs as much as the 50 samples it hid.
   */
  record(kind: LoadLatencyKind, milliseconds: number, expectedIntervalMs?: number): void {
    const value = Math.max(1, Math.round(milliseconds * MICROS));
    if (expectedIntervalMs === undefined) this.of(kind).recordValue(value);
    else this.of(kind).recordValueWithExpectedInterval(value, Math.round(expectedIntervalMs * MICROS));
  }

  count(kind: LoadLatencyKind): number {
    return this.built(kind)?.totalCount ?? 0;
  }

  encode(): EncodedLatencies {
    const out: EncodedLatencies = {};
    for (const kind of loadLatencyKinds) {
      const histogram = this.built(kind);
      if (histogram === undefined || histogram.totalCount === 0) continue;
      let last = this.encoded.get(kind);
      if (last?.count !== histogram.totalCount) {
        last = { count: histogram.totalCount, text: hdr.encodeIntoCompressedBase64(histogram) };
        this.encoded.set(kind, last);
      }
      out[kind] = last.text;
    }
    return out;
  }

  /** Adds another set's samples to this one (decoded when a kind is first read). */
  add(encoded: EncodedLatencies): void {
    for (const kind of loadLatencyKinds) {
      const text = encoded[kind];
      if (text === undefined) continue;
      const pending = this.pending.get(kind);
      if (pending === undefined) this.pending.set(kind, [text]);
      else pending.push(text);
    }
  }

  static merge(all: EncodedLatencies[]): LatencyHistograms {
    const merged = new LatencyHistograms();
    for (const encoded of all) merged.add(encoded);
    return merged;
  }

  /** Milliseconds; percentiles at HDR's resolution (3 significant digits). */
  percentile(kind: LoadLatencyKind, percentile: number): number {
    const histogram = this.built(kind);
    if (histogram === undefined || histogram.totalCount === 0) return 0;
    return histogram.getValueAtPercentile(percentile) / MICROS;
  }

  summary(kind: LoadLatencyKind): LatencySummary {
    const histogram = this.built(kind);
    if (histogram === undefined || histogram.totalCount === 0)
      return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, buckets: [] };
    const at = (p: number) => histogram.getValueAtPercentile(p) / MICROS;
    return {
      count: histogram.totalCount,
      // At HDR's resolution, so that a merged histogram and the histogram of the union agree exactly.
      min: histogram.lowestEquivalentValue(histogram.minNonZeroValue) / MICROS,
      mean: histogram.mean / MICROS,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: histogram.highestEquivalentValue(histogram.maxValue) / MICROS,
      buckets: this.buckets(histogram),
    };
  }

  private buckets(histogram: JsHistogram): Array<{ upToMs: number; count: number }> {
    const counts = BUCKET_BOUNDS_MS.map(() => 0);
    let beyond = 0;
    const values = histogram.recordedValuesIterator;
    values.reset();
    while (values.hasNext()) {
      const v = values.next();
      const ms = histogram.lowestEquivalentValue(v.valueIteratedTo) / MICROS;
      const index = BUCKET_BOUNDS_MS.findIndex((bound) => ms <= bound);
      if (index < 0) beyond += v.countAtValueIteratedTo;
      else counts[index] = (counts[index] ?? 0) + v.countAtValueIteratedTo;
    }
    const buckets = BUCKET_BOUNDS_MS.map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 }));
    if (beyond > 0) buckets.push({ upToMs: Number.POSITIVE_INFINITY, count: beyond });
    // Trailing empty buckets say nothing.
    while (buckets.length > 1 && buckets[buckets.length - 1]?.count === 0) buckets.pop();
    return buckets;
  }

  /** The kind's histogram with every encoding added so far merged in; undefined when it has no sample. */
  private built(kind: LoadLatencyKind): JsHistogram | undefined {
    const pending = this.pending.get(kind);
    if (pending !== undefined) {
      this.pending.delete(kind);
      const histogram = this.histograms.get(kind) ?? this.created(kind);
      for (const text of pending) {
        let other: JsHistogram;
        try {
          other = hdr.decodeFromCompressedBase64(text, 32, false) as JsHistogram;
        } catch {
          // Not a histogram's encoding (it came over a shared broker): it adds nothing, the others still count.
          continue;
        }
        histogram.add(other);
        other.destroy();
      }
    }
    return this.histograms.get(kind);
  }

  private of(kind: LoadLatencyKind): JsHistogram {
    return this.built(kind) ?? this.created(kind);
  }

  private created(kind: LoadLatencyKind): JsHistogram {
    const histogram = newHistogram();
    this.histograms.set(kind, histogram);
    return histogram;
  }
}
