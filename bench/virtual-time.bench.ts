/**
 * How fast virtual time runs: the timing suites (scenarios/timing/) and the property suite (scenarios/properties/),
 * each file alone in its own vitest run (no other file sharing the machine), `BENCH_VT_ROUNDS` rounds (default 3), the
 * property suite on one seed (`HILFARM_SEED`, default 19).
 * Each suite prints `<suite>: N simulated s in W wall s (Rx real time); the clock ran at Cx (S s)`
 * (scenarios/support/time-report.ts); this keeps the median round of each and writes the "Virtual time" section of
 * docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { machineDescription, madeBy } from "./made-by.ts";
import { wholeNumberSetting } from "./settings.ts";

const ROUNDS = wholeNumberSetting("BENCH_VT_ROUNDS", 3, 20);
/**
 * The property suite's seed in every round (`HILFARM_SEED` when given): the same cases, and so the same simulated
 * time, in every round and on every host, so that rounds and machines are compared on the same work.
 */
const PROPERTY_SEED = process.env.HILFARM_SEED ?? "19";

const root = fileURLToPath(new URL("..", import.meta.url));
const FILES = [
  "scenarios/timing/connection.test.ts",
  "scenarios/timing/requests.test.ts",
  "scenarios/timing/business.test.ts",
  "scenarios/properties/fleet-model.test.ts",
];
/** Issue 19, aim 6: at least this many times real time. */
export const VIRTUAL_TIME_AIM = 10_000;

interface SuiteTime {
  suite: string;
  simulatedS: number;
  wallS: number;
  clockS: number;
}

const LINE =
  /^(?<suite>[^\n]+?): (?<simulated>[\d,]+) simulated s in (?<wall>[\d.]+) wall s \([\d,]+x real time\); the clock ran at [\d,]+x \((?<clock>[\d.]+) s\)/m;

function runOnce(file: string): SuiteTime {
  const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", file], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, HILFARM_SEED: PROPERTY_SEED, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 2 ** 20,
  });
  const found = LINE.exec(run.stdout);
  if (run.status !== 0 || found?.groups === undefined)
    throw new Error(
      `${file}: exit ${run.status}, no time line\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`,
    );
  const { suite, simulated, wall, clock } = found.groups as {
    suite: string;
    simulated: string;
    wall: string;
    clock: string;
  };
  return {
    suite,
    simulatedS: Number(simulated.replaceAll(",", "")),
    wallS: Number(wall),
    clockS: Number(clock),
  };
}

const rounds = new Map<string, SuiteTime[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const file of FILES) {
    const time = runOnce(file);
    console.info(`round ${round} ${file}: ${JSON.stringify(time)}`);
    rounds.set(file, [...(rounds.get(file) ?? []), time]);
  }
}

const ratio = (simulated: number, wall: number) => simulated / Math.max(wall, 0.001);
const x = (n: number) => `${Math.round(n).toLocaleString("en-US")}x`;
const command =
  process.env.BENCH_VT_ROUNDS === undefined
    ? "npm run bench:virtual-time"
    : `BENCH_VT_ROUNDS=${ROUNDS} npm run bench:virtual-time`;
/** Each suite's median round by ratio, with every round's ratio: what `npm run bench` sets beside aim 6. */
export const suiteTimes = FILES.map((file) => {
  const times = [...(rounds.get(file) ?? [])].sort(
    (a, b) => ratio(a.simulatedS, a.wallS) - ratio(b.simulatedS, b.wallS),
  );
  const median = times[Math.floor((times.length - 1) / 2)] as SuiteTime;
  return {
    file,
    median,
    realTime: ratio(median.simulatedS, median.wallS),
    everyRound: times.map((t) => ratio(t.simulatedS, t.wallS)),
  };
});
const rows = suiteTimes.map(({ file, median, realTime, everyRound }) => {
  const all = everyRound.map(x).join(", ");
  return `| \`${file}\` (${median.suite}) | ${median.simulatedS.toLocaleString("en-US")} | ${median.wallS.toFixed(2)} | ${x(realTime)} (${all}) | ${x(ratio(median.simulatedS, median.clockS))} (${median.clockS.toFixed(2)} s) | ${(realTime / VIRTUAL_TIME_AIM).toFixed(2)} |`;
});
const lines = [
  `Made by ${madeBy(command, "bench/virtual-time.bench.ts")}: each suite file alone in its own \`vitest run\`, ${ROUNDS} rounds, the median round by ratio; the property suite with \`HILFARM_SEED=${PROPERTY_SEED}\` in every round (the same cases on every host). "Wall" runs from the suite file's start (after its imports) to its end: starting platforms and devices on real sockets, logins, the first test's JIT warm-up and the clock's own running. "Clock ran" is the wall time spent inside the clock's advance and run-until calls, with the real I/O they wait for.`,
  "",
  `Machine: ${machineDescription()}.`,
  "",
  `| suite | simulated s | wall s | x real time (every round) | x while the clock ran | real time / aim (${x(VIRTUAL_TIME_AIM)}, issue 19 aim 6) |`,
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows,
];
await writeBenchmarkSection("Virtual time", lines);
console.log(lines.join("\n"));
