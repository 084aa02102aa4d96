/**
 * `npm run bench`: the benchmarks behind issue 19's aims 3, 4 and 6, one after the other, each writing its own
 * section of docs/benchmarks.md as when run alone (codec throughput, per-frame cost, virtual time), then the aims
 * beside this run's figures, printed and written as the "Aims of issue 19 (npm run bench)" section. Aims 1, 2 and 5
 * are set for 100,000 devices: `BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm run bench:farm`.
 * The settings of each benchmark apply (BENCH_TIME_MS, BENCH_COST_*, BENCH_VT_ROUNDS). About 5 minutes.
 */
import { cpus, totalmem } from "node:os";
import { writeBenchmarkSection } from "./benchmarks-file.ts";

await import("./codec.bench.ts");
const { costFigures: cost } = await import("./frame-cost.bench.ts");
const { suiteTimes, VIRTUAL_TIME_AIM } = await import("./virtual-time.bench.ts");

const ms = (n: number) => `${n.toFixed(2)} ms`;
const times = (n: number) => `${n.toFixed(2)}x`;
const realTime = (n: number) => `${Math.round(n).toLocaleString("en-US")}x`;
const met = (ok: boolean) => (ok ? "met" : "**not met**");
const AIM_3_RATE = 2000;

interface AimRow {
  aim: string;
  run: string;
  target: string;
  /** This run's figure over the aim's: under 1 meets an "under" aim, over 1 an "at least" one. */
  ratio: number | undefined;
  /** Met, not met, or why this run cannot say. */
  verdict: string;
}

const codecRatio = cost.oursUs / cost.codecUs;
const rows: AimRow[] = [
  {
    aim: `3. steady heartbeat round trip p99 at ${Math.round(cost.roundTripsPerSecond).toLocaleString("en-US")}/s (bare floor's p99: ${cost.bareP99Ms === undefined ? "not measured" : ms(cost.bareP99Ms)})`,
    run: cost.steadyP99Ms === undefined ? "not measured" : ms(cost.steadyP99Ms),
    target: "< 10 ms at 2,000/s",
    ratio: cost.steadyP99Ms === undefined ? undefined : cost.steadyP99Ms / 10,
    verdict:
      cost.steadyP99Ms === undefined
        ? "not measured"
        : cost.roundTripsPerSecond !== AIM_3_RATE
          ? `not at the aim's rate (${AIM_3_RATE.toLocaleString("en-US")}/s: BENCH_COST_DEVICES=2000 BENCH_COST_INTERVAL_S=1)`
          : met(cost.steadyP99Ms < 10),
  },
  {
    aim: `4. CPU per round trip, (c) hilfarm / (a) codec floor (${cost.oursUs.toFixed(1)} / ${cost.codecUs.toFixed(1)} µs; the bare floor (b) / (a) is ${times(cost.bareUs / cost.codecUs)})`,
    run: times(codecRatio),
    target: "<= 3x",
    ratio: codecRatio / 3,
    verdict: met(codecRatio <= 3),
  },
  {
    aim: `4. CPU per round trip, (c) hilfarm / (b) bare floor (median of the rounds' ratios; (b) ${cost.bareUs.toFixed(1)} µs)`,
    run: times(cost.ratioToBare),
    target: "<= 1.5x",
    ratio: cost.ratioToBare / 1.5,
    verdict: met(cost.ratioToBare <= 1.5),
  },
  ...suiteTimes.map(
    ({ median, realTime: x }): AimRow => ({
      aim: `6. virtual time, ${median.suite} (${median.simulatedS.toLocaleString("en-US")} simulated s in ${median.wallS.toFixed(2)} wall s)`,
      run: realTime(x),
      target: `>= ${realTime(VIRTUAL_TIME_AIM)}`,
      ratio: x / VIRTUAL_TIME_AIM,
      verdict: met(x >= VIRTUAL_TIME_AIM),
    }),
  ),
];

const lines = [
  "Made by `npm run bench` (bench/aims.bench.ts): the sections above it in this run, `Mc codec throughput`, `Per-frame cost` and",
  "`Virtual time`, set beside issue 19's aims 3, 4 and 6. Aims 1, 2 and 5 are set for 100,000 devices ramped at 2,000/s:",
  "`BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm run bench:farm` (the `Farm density` section).",
  "",
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; per-frame cost as \`${cost.command}\`.`,
  "",
  "| aim (issue 19) | this run | aim | run / aim | |",
  "| --- | ---: | ---: | ---: | --- |",
  ...rows.map(
    (r) =>
      `| ${r.aim} | ${r.run} | ${r.target} | ${r.ratio === undefined ? "-" : times(r.ratio)} | ${r.verdict} |`,
  ),
];
await writeBenchmarkSection("Aims of issue 19 (npm run bench)", lines);
console.log(lines.join("\n"));
