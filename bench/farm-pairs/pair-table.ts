import { AIM_2_ONLINE_PER_SECOND, aim1Met, aim2Met, aimsApply, type FarmRunSummary } from "./run-summary.ts";
import { leastSignTestP, showP, signTestP } from "./sign-test.ts";

export type Side = "a" | "b";
export interface PairedRun {
  pair: number;
  side: Side;
  run: FarmRunSummary;
}

const fixed = (digits: number) => (n: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const whole = fixed(0);
const one = fixed(1);
const two = fixed(2);
const ms = (n: number) => (n < 10 ? two(n) : one(n));
const hhmm = (iso: string) => iso.slice(11, 16);
const AIM_2_TEXT = `${whole(AIM_2_ONLINE_PER_SECOND)} a second or more to every device online, login p99 < 1 s, no login timeouts`;
const maybe = <T>(value: T | undefined, show: (v: T) => string) => (value === undefined ? "-" : show(value));

/** The figures two settings are compared by, each read off a run (undefined where the run did not give it). */
const FIGURES: ReadonlyArray<{
  name: string;
  get: (r: FarmRunSummary) => number | undefined;
  show: (n: number) => string;
}> = [
  {
    name: "devices online a second, first power-on to all online",
    get: (r) => r.onlinePerSecond,
    show: whole,
  },
  { name: "login p99, ms", get: (r) => r.loginP99Ms, show: one },
  { name: "devices in flight at most", get: (r) => r.inFlightAtMost, show: whole },
  { name: "longest hold of a worker's ramp, s", get: (r) => r.longestHoldSeconds, show: two },
  {
    name: "the platform's main threads' wait for a core, s",
    get: (r) => r.platformCoreWaitSeconds,
    show: whole,
  },
  { name: "the workers' main threads' wait for a core, s", get: (r) => r.workerCoreWaitSeconds, show: whole },
  { name: "the farm's timers late, whole run p99, ms", get: (r) => r.timersLate?.p99, show: one },
  { name: "steady heartbeat p99, ms", get: (r) => r.steadyHeartbeat?.p99, show: ms },
  { name: "steady heartbeat p99.9, ms", get: (r) => r.steadyHeartbeat?.p999, show: ms },
  { name: "CPU per device brought online, µs", get: (r) => r.cpuPerDeviceUs, show: whole },
];

/** One row per run, in the order they ran. */
export function runRows(runs: readonly PairedRun[], labels: Record<Side, string>): string[] {
  const aims = runs.every((r) => aimsApply(r.run));
  return [
    `| run (end) | pair | side | online a second | login p99, ms | at most in flight | longest hold, s | main threads' wait for a core, s: platform / workers | the farm's timers late, whole run: p99 / p99.9, ms | steady heartbeat p50 / p99 / p99.9, ms | CPU per device (cores busy) | held, errors, login timeouts |${aims ? " aims 1 / 2 |" : ""}`,
    `| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${aims ? " --- |" : ""}`,
    ...runs.map(({ pair, side, run: r }) => {
      const s = r.steadyHeartbeat;
      return `| ${hhmm(r.endedAt)} | ${pair} | ${labels[side]} | ${maybe(r.onlinePerSecond, whole)} | ${one(r.loginP99Ms)} | ${whole(r.inFlightAtMost)} | ${maybe(r.longestHoldSeconds, two)} | ${maybe(r.platformCoreWaitSeconds, whole)} / ${maybe(r.workerCoreWaitSeconds, whole)} | ${r.timersLate === undefined ? "-" : `${one(r.timersLate.p99)} / ${one(r.timersLate.p999)}`} | ${s === undefined ? "-" : `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.p999)}`} | ${r.cpuPerDeviceUs === undefined ? "-" : `${whole(r.cpuPerDeviceUs)} µs${r.coresBusy === undefined ? "" : ` (${r.coresBusy})`}`} | ${whole(r.onlineAtEnd)} of ${whole(r.devices)}, ${r.errors}, ${r.loginTimeouts} |${aims ? ` ${aim1Met(r) ? "met" : "not"} / ${aim2Met(r) ? "met" : "not"} |` : ""}`;
    }),
  ];
}

const range = (values: number[], show: (n: number) => string) =>
  values.length === 0
    ? "not given"
    : Math.min(...values) === Math.max(...values)
      ? show(values[0] ?? 0)
      : `${show(Math.min(...values))}-${show(Math.max(...values))}`;

const runOf = (runs: readonly PairedRun[], pair: number, side: Side) =>
  runs.find((r) => r.pair === pair && r.side === side)?.run;

/** The pairs with a run on each side, in order. */
const completePairs = (runs: readonly PairedRun[]) =>
  [...new Set(runs.map((r) => r.pair))]
    .sort((x, y) => x - y)
    .filter((p) => runOf(runs, p, "a") !== undefined && runOf(runs, p, "b") !== undefined);

/** The words before the figures: what a pair counts for, and how to read each figure's p with this many pairs. */
export function comparisonIntro(runs: readonly PairedRun[]): string {
  const pairs = completePairs(runs).length;
  return `Figure by figure (a pair counts where both of its runs gave the figure; p: how often chance alone, were the two sides alike, splits the pairs that differed at least as lopsidedly either way, a two-sided sign test; with ${pairs} pair${pairs === 1 ? "" : "s"} no figure can show less than ${showP(leastSignTestP(pairs))}; of the ${FIGURES.length} figures, ${FIGURES.length} times a figure's p bounds the chance that any one of them splits so):`;
}

/**
 * Each figure side by side: its range on each side, in how many pairs B's run read higher than A's, and lower, and
 * the chance of so lopsided a split between alike sides.
 */
export function comparisonLines(runs: readonly PairedRun[], labels: Record<Side, string>): string[] {
  const of = (pair: number, side: Side) => runOf(runs, pair, side);
  const complete = completePairs(runs);
  const lines = FIGURES.map(({ name, get, show }) => {
    const values = (side: Side) => runs.filter((r) => r.side === side).flatMap((r) => get(r.run) ?? []);
    const both = complete.flatMap((p) => {
      const [a, b] = [get(of(p, "a") as FarmRunSummary), get(of(p, "b") as FarmRunSummary)];
      return a === undefined || b === undefined ? [] : [{ a, b }];
    });
    const higher = both.filter(({ a, b }) => b > a).length;
    const lower = both.filter(({ a, b }) => b < a).length;
    const byPair =
      name.startsWith("devices online a second") && both.length > 0
        ? `; ${labels.b} minus ${labels.a}, pair by pair: ${both.map(({ a, b }) => `${b - a >= 0 ? "+" : ""}${Math.round(b - a)}`).join(", ")}`
        : "";
    return `- ${name}: ${labels.a} ${range(values("a"), show)}, ${labels.b} ${range(values("b"), show)}; ${labels.b} higher in ${higher}, lower in ${lower} of ${both.length} pair${both.length === 1 ? "" : "s"} (p = ${showP(signTestP(higher, lower))})${byPair}.`;
  });
  if (runs.every((r) => aimsApply(r.run))) {
    const met = (side: Side, aim: (r: FarmRunSummary) => boolean) => {
      const own = runs.filter((r) => r.side === side);
      return `${own.filter((r) => aim(r.run)).length} of ${own.length}`;
    };
    lines.push(
      `- aim 1 (every device held, no errors, steady heartbeat p99 < 50 ms and p99.9 < 200 ms) met in ${met("a", aim1Met)} runs with ${labels.a}, ${met("b", aim1Met)} with ${labels.b}; aim 2 (${AIM_2_TEXT}) in ${met("a", aim2Met)} and ${met("b", aim2Met)}.`,
    );
  }
  return lines;
}
