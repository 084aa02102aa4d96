/**
 * `npm run bench`: the benchmarks behind issue 19's aims 3, 4 and 6 and aim 2's CPU per login, one after the other,
 * each writing its own section of docs/benchmarks.md as when run alone (codec throughput, per-frame cost, virtual
 * time, login cost), then the aims beside this run's figures, printed and written as the "Aims of issue 19 (npm run
 * bench)" section. Aims 1, 2 and 5 are set for 100,000 devices: `BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm
 * run bench:farm`. The settings of each benchmark apply (BENCH_TIME_MS, BENCH_COST_*, BENCH_VT_ROUNDS, BENCH_LOGIN_*).
 * About 12.5 minutes on a fast 2-core host, more on a slower one.
 */
import { cpus } from "node:os";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { aimsRun, machineDescription } from "./made-by.ts";
import { roundsVerdict, twoPlaces } from "./round-verdict.ts";

const SECTION = "Aims of issue 19 (npm run bench)";
const machine = machineDescription();

aimsRun.active = true;
let cost: typeof import("./frame-cost.bench.ts").costFigures;
let virtualTime: typeof import("./virtual-time.bench.ts");
let login: typeof import("./login-cost.bench.ts").loginFigures;
let running = "bench/codec.bench.ts";
try {
  await import("./codec.bench.ts");
  running = "bench/frame-cost.bench.ts";
  cost = (await import("./frame-cost.bench.ts")).costFigures;
  running = "bench/virtual-time.bench.ts";
  virtualTime = await import("./virtual-time.bench.ts");
  running = "bench/login-cost.bench.ts";
  login = (await import("./login-cost.bench.ts")).loginFigures;
} catch (error) {
  // The sections written before the failure are this run's; the aims beside them would be an earlier run's.
  await writeBenchmarkSection(SECTION, [
    `Not measured: \`npm run bench\` stopped in ${running} on ${machine} (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).`,
  ]);
  throw error;
}

const AIM_3_RATE = 2000;
const AIM_3_P99_MS = 10;
const AIM_4_CODEC = 3;
const AIM_4_BARE = 1.5;

const ms = (n: number) => `${n.toFixed(2)} ms`;
const times = (n: number) => `${n.toFixed(2)}x`;
const rate = (n: number) => `${Math.round(n).toLocaleString("en-US")}x`;
const met = (ok: boolean) => (ok ? "met" : "**not met**");

interface AimRow {
  aim: string;
  run: string;
  target: string;
  /** This run's figure over the aim's: at most 1 meets an "under" or "within" aim, at least 1 an "at least" one. */
  ratio: number | undefined;
  /** Met, not met, or why this run cannot say. */
  verdict: string;
}

function aim3(): AimRow {
  const asked = Math.round(cost.roundTripsPerSecond);
  const kept = Math.round(cost.slowestRoundTripsPerSecond);
  const rounds = cost.roundP99sMs;
  const p99 = cost.medianP99Ms;
  const bareP99 = cost.bareMedianP99Ms === undefined ? "not measured" : ms(cost.bareMedianP99Ms);
  const spread =
    rounds.length === 0
      ? "no round measured"
      : `rounds ${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)} ms`;
  return {
    aim: `3. steady heartbeat round trip p99 at ${asked.toLocaleString("en-US")}/s, the median of ${rounds.length} round${rounds.length === 1 ? "" : "s"} (${spread}; the bare floor's p99 by the median of its rounds: ${bareP99})`,
    run: p99 === undefined ? "not measured" : ms(p99),
    target: `< ${AIM_3_P99_MS} ms at ${AIM_3_RATE.toLocaleString("en-US")}/s`,
    ratio: p99 === undefined ? undefined : p99 / AIM_3_P99_MS,
    verdict:
      p99 === undefined
        ? "not measured"
        : asked !== AIM_3_RATE
          ? `not at the aim's rate (BENCH_COST_DEVICES=2000 BENCH_COST_INTERVAL_S=1)`
          : kept < 0.98 * AIM_3_RATE
            ? `not at the aim's rate: a round kept ${kept.toLocaleString("en-US")}/s`
            : roundsVerdict(rounds, p99, (figure) => figure < AIM_3_P99_MS, spread),
  };
}

function aim4Bare(): AimRow {
  const rounds = cost.roundRatiosToBare.map(twoPlaces);
  const spread = `rounds ${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)}`;
  return {
    aim: `4. CPU per round trip, (c) hilfarm / (b) bare floor (the median of the rounds' ratios, ${spread}; (b) ${cost.bareUs.toFixed(1)} µs; against (b') in the farm's bursts, ${cost.burstsUs.toFixed(1)} µs: ${times(cost.ratioToBursts)})`,
    run: times(cost.ratioToBare),
    target: `<= ${AIM_4_BARE}x`,
    ratio: cost.ratioToBare / AIM_4_BARE,
    verdict: roundsVerdict(
      cost.roundRatiosToBare,
      cost.ratioToBare,
      (figure) => figure <= AIM_4_BARE,
      spread,
    ),
  };
}

/** Aim 2 is judged by bench:farm's ramp; this row is its CPU per login beside the budget and the bare floor. */
function aim2Cost(): AimRow {
  const rounds = login.roundRatios.map(twoPlaces);
  return {
    aim: `2. CPU per login, device and platform sides together (bench:login; (b) bare floor ${login.bareUs.toFixed(0)} µs; (c) / (b) ${times(login.ratio)}, rounds ${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)})`,
    run: `${login.oursUs.toFixed(0)} µs`,
    target: `<= ${login.budgetUs.toFixed(0)} µs (2,000 a second on ${cpus().length} cores)`,
    ratio: login.oursUs / login.budgetUs,
    verdict:
      login.oursUs <= login.budgetUs
        ? "within the budget (aim 2 itself: bench:farm)"
        : "**over the budget**: at this cost the farm and platform cannot log in 2,000 a second on these cores",
  };
}

const codecRatio = cost.oursUs / cost.codecUs;
const rows: AimRow[] = [
  aim2Cost(),
  aim3(),
  {
    aim: `4. CPU per round trip, (c) hilfarm / (a) codec floor (${cost.oursUs.toFixed(1)} / ${cost.codecUs.toFixed(1)} µs; the bare floor (b) / (a) is ${times(cost.bareUs / cost.codecUs)})`,
    run: times(codecRatio),
    target: `<= ${AIM_4_CODEC}x`,
    ratio: codecRatio / AIM_4_CODEC,
    verdict: met(twoPlaces(codecRatio) <= AIM_4_CODEC),
  },
  aim4Bare(),
  ...virtualTime.suiteTimes.map(({ alone, together, first }): AimRow => {
    const aim = virtualTime.VIRTUAL_TIME_AIM;
    const metAlone = Math.round(alone.realTime) >= aim;
    const metTogether = Math.round(together.realTime) >= aim;
    return {
      aim: `6. virtual time, ${alone.median.suite} (${alone.median.simulatedS.toLocaleString("en-US")} simulated s in ${alone.median.wallS.toFixed(2)} wall s alone, ${together.median.wallS.toFixed(2)} s with the other suites in one process${first ? ", where it ran first" : ""})`,
      run: `${rate(alone.realTime)} alone, ${rate(together.realTime)} together`,
      target: `>= ${rate(aim)}`,
      ratio: alone.realTime / aim,
      verdict:
        metAlone === metTogether
          ? met(metAlone)
          : metAlone
            ? "met alone in a fresh process; **not met** with the four in one process"
            : "met with the four in one process; **not met** alone in a fresh process",
    };
  }),
];

const lines = [
  "Made by `npm run bench` (bench/aims.bench.ts): the `Mc codec throughput`, `Per-frame cost`, `Virtual time` and `Login cost",
  "beside the bare floor` sections of the same run, set beside issue 19's aims 3, 4 and 6, and aim 2's CPU per login. Aims 1,",
  "2 and 5 are set for 100,000 devices ramped at 2,000/s: `BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm run",
  "bench:farm` (the `Farm density` section).",
  "",
  `Machine: ${machine}; per-frame cost as \`${cost.command}\`.`,
  "",
  "| aim (issue 19) | this run | aim | run / aim | |",
  "| --- | ---: | ---: | ---: | --- |",
  ...rows.map(
    (r) =>
      `| ${r.aim} | ${r.run} | ${r.target} | ${r.ratio === undefined ? "-" : times(r.ratio)} | ${r.verdict} |`,
  ),
];
await writeBenchmarkSection(SECTION, lines);
console.log(lines.join("\n"));
