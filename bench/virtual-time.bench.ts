/**
 * How fast virtual time runs: the timing suites (scenarios/timing/) and the property suite (scenarios/properties/),
 * `BENCH_VT_ROUNDS` rounds (default 3), the property suite on one seed (`HILFARM_SEED`, default 19). In each round,
 * each file alone in its own vitest run (a fresh process: the file pays the process's warm-up), then the four files in
 * one vitest run, in one worker process and in the order of `FILES`, as npm test's files share their processes
 * (vitest.config.ts): the first pays the warm-up, the others run on the code it warmed.
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
  /** As the suite printed them, from its unrounded wall and clock times. */
  realTime: number;
  clockRate: number;
}

const LINE =
  /^(?<suite>[^\n]+?): (?<simulated>[\d,]+) simulated s in (?<wall>[\d.]+) wall s \((?<realTime>[\d,]+)x real time\); the clock ran at (?<clockRate>[\d,]+)x \((?<clock>[\d.]+) s\)/gm;

/** `vitest run` with these arguments (and environment); the time line of each suite it ran, in the order printed. */
function vitestRun(args: string[], env: NodeJS.ProcessEnv = {}): SuiteTime[] {
  const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...args], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      ...env,
      HILFARM_SEED: PROPERTY_SEED,
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
    maxBuffer: 64 * 2 ** 20,
  });
  const times = [...run.stdout.matchAll(LINE)].map(({ groups }) => {
    const found = groups as Record<
      "suite" | "simulated" | "wall" | "clock" | "realTime" | "clockRate",
      string
    >;
    const number = (text: string) => Number(text.replaceAll(",", ""));
    return {
      suite: found.suite,
      simulatedS: number(found.simulated),
      wallS: number(found.wall),
      clockS: number(found.clock),
      realTime: number(found.realTime),
      clockRate: number(found.clockRate),
    };
  });
  if (run.status !== 0 || times.length === 0)
    throw new Error(
      `vitest run ${args.join(" ")}: exit ${run.status ?? run.signal}${run.error === undefined ? "" : ` (${run.error.message})`}, ${times.length} time lines\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`,
    );
  return times;
}

/** The four files in one run, in one process, in the order of `FILES`: each file's time, by file. */
function runTogether(suiteOf: ReadonlyMap<string, string>): Map<string, SuiteTime> {
  const times = vitestRun(["--config", "vitest.ordered.config.ts", ...FILES], {
    HILFARM_TEST_ORDER: FILES.join(","),
  });
  const byFile = new Map<string, SuiteTime>();
  for (const file of FILES) {
    const time = times.find((t) => t.suite === suiteOf.get(file));
    if (time === undefined) throw new Error(`${file}: no time line in the run of the four suites together`);
    byFile.set(file, time);
  }
  return byFile;
}

const alone = new Map<string, SuiteTime[]>();
const together = new Map<string, SuiteTime[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const file of FILES) {
    const times = vitestRun([file]);
    if (times.length !== 1) throw new Error(`${file} alone printed ${times.length} time lines, not one`);
    const time = times[0] as SuiteTime;
    console.info(`round ${round} ${file} alone: ${JSON.stringify(time)}`);
    alone.set(file, [...(alone.get(file) ?? []), time]);
  }
  const suiteOf = new Map(FILES.map((file) => [file, alone.get(file)?.[0]?.suite ?? file]));
  if (new Set(suiteOf.values()).size !== FILES.length)
    throw new Error(`two suites print the same name: ${[...suiteOf.values()].join(", ")}`);
  for (const [file, time] of runTogether(suiteOf)) {
    console.info(`round ${round} ${file} together: ${JSON.stringify(time)}`);
    together.set(file, [...(together.get(file) ?? []), time]);
  }
}

const x = (n: number) => `${Math.round(n).toLocaleString("en-US")}x`;
const command =
  process.env.BENCH_VT_ROUNDS === undefined
    ? "npm run bench:virtual-time"
    : `BENCH_VT_ROUNDS=${ROUNDS} npm run bench:virtual-time`;
/** The median round by ratio, with every round's ratio. */
function medianRound(times: readonly SuiteTime[]) {
  const sorted = [...times].sort((a, b) => a.realTime - b.realTime);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as SuiteTime;
  return { median, realTime: median.realTime, everyRound: sorted.map((t) => t.realTime) };
}

/** Each suite's median round alone and together: what `npm run bench` sets beside aim 6. */
export const suiteTimes = FILES.map((file) => ({
  file,
  alone: medianRound(alone.get(file) ?? []),
  together: medianRound(together.get(file) ?? []),
  /** Ran first in the run of the four together: it paid that process's warm-up. */
  first: file === FILES[0],
}));
const rows = suiteTimes.map(({ file, alone: a, together: t, first }) => {
  const every = (rounds: number[]) => rounds.map(x).join(", ");
  return `| \`${file}\` (${a.median.suite}) | ${a.median.simulatedS.toLocaleString("en-US")} | ${a.median.wallS.toFixed(2)} | ${x(a.realTime)} (${every(a.everyRound)}) | ${x(a.median.clockRate)} (${a.median.clockS.toFixed(2)} s) | ${t.median.wallS.toFixed(2)} | ${x(t.realTime)} (${every(t.everyRound)})${first ? ", first: the warm-up" : ""} | ${(a.realTime / VIRTUAL_TIME_AIM).toFixed(2)}, ${(t.realTime / VIRTUAL_TIME_AIM).toFixed(2)} |`;
});
const lines = [
  `Made by ${madeBy(command, "bench/virtual-time.bench.ts")}: ${ROUNDS} rounds, the median round by ratio; the property suite with \`HILFARM_SEED=${PROPERTY_SEED}\` in every round (the same cases on every host). In each round, each suite file alone in its own \`vitest run\` (a fresh process: the file pays the process's warm-up), then the four in one \`vitest run\`, in one worker process and in the table's order, as npm test's files share their processes (\`isolate: false\` in vitest.config.ts): the first pays the warm-up, the others run on code it warmed. "Wall" runs from the suite file's start (after its imports) to its end: starting platforms and devices on real sockets, logins, JIT warm-up and the clock's own running. "Clock ran" is the wall time spent inside the clock's advance and run-until calls, with the real I/O they wait for.`,
  "",
  `Machine: ${machineDescription()}.`,
  "",
  `| suite | simulated s | alone: wall s | alone: x real time (every round) | alone: x while the clock ran | together: wall s | together: x real time (every round) | real time / aim (${x(VIRTUAL_TIME_AIM)}, issue 19 aim 6): alone, together |`,
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows,
];
await writeBenchmarkSection("Virtual time", lines);
console.log(lines.join("\n"));
