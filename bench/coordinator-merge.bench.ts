/**
 * What one second of the load coordinator costs in merging: twelve workers' snapshots (encoded HDR histograms of
 * every round-trip kind, of the whole run and of the steady window), merged as `farmView` does each tick, with the
 * progress line's one read (the heartbeat's p99), and with a `/metrics` scrape's read of every kind. Synthetic
 * samples from a fixed seed; prints CPU ms per tick (the median of BENCH_MERGE_ROUNDS rounds, default 5).
 *   npx tsx bench/coordinator-merge.bench.ts
 */
import { LatencyHistograms } from "../emulators/farm/latency-histograms.ts";
import { loadLatencyKinds } from "../emulators/farm/load-report.ts";
import { seededRandom } from "../harness/random/random.ts";
import { wholeNumberSetting } from "./settings.ts";

const ROUNDS = wholeNumberSetting("BENCH_MERGE_ROUNDS", 5, 50);
const WORKERS = 12;
const TICKS = 40;

const seeded = seededRandom(1);
const random = () => seeded.int(0, 999_999) / 1_000_000;
const snapshots = Array.from({ length: WORKERS }, () => {
  const h = new LatencyHistograms();
  for (let i = 0; i < 30_000; i++) h.record("heartbeat", 0.3 + random() ** 6 * 200);
  for (let i = 0; i < 8_000; i++) {
    h.record("login", 5 + random() ** 3 * 1500);
    h.record("connect", 5 + random() ** 3 * 2500);
    h.record("report", 2 + random() ** 3 * 1000);
  }
  for (let i = 0; i < 3_000; i++) h.record("farm-delay", random() ** 8 * 2000, 10);
  return { latencies: h.encode(), steady: h.encode() };
});

function cpuMsPerTick(read: (merged: LatencyHistograms) => void): number {
  const start = process.cpuUsage();
  for (let t = 0; t < TICKS; t++) {
    const merged = LatencyHistograms.merge(snapshots.map((s) => s.latencies));
    LatencyHistograms.merge(snapshots.map((s) => s.steady));
    read(merged);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / TICKS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const progress: number[] = [];
const scrape: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  progress.push(cpuMsPerTick((m) => m.percentile("heartbeat", 99)));
  scrape.push(
    cpuMsPerTick((m) => {
      for (const kind of loadLatencyKinds) m.percentile(kind, 99);
    }),
  );
}
console.info(
  `coordinator merge, ${WORKERS} workers: ${median(progress).toFixed(2)} ms CPU per tick with the progress line's read, ` +
    `${median(scrape).toFixed(2)} ms with a /metrics scrape's (median of ${ROUNDS} rounds of ${TICKS} ticks)`,
);
