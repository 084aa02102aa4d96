/**
 * Per-frame cost of this checkout beside another, side by side: both run `hilfarm load` (the reference platform as
 * a process, one worker, a TCP fleet heartbeating every second; with BENCH_PAIRED_TRANSPORT=udp a UDP fleet) at the
 * same time on this machine, and each side's CPU per heartbeat round trip (worker + platform: the frame path; the
 * coordinator shown beside) is read over the same window. A host whose speed drifts by 20 % between two runs minutes
 * apart (a shared VM) moves both sides alike, so their ratio shows a change of a few per cent that `npm run
 * bench:cost`'s runs one after the other cannot. The two share the cores, so each side's figure is above what it costs
 * alone; the ratio is the result.
 *   BENCH_PAIRED_AGAINST=<checkout> npm run bench:paired
 * `<checkout>` is another working tree of hilfarm with its dependencies installed, for example
 *   git worktree add /tmp/hilfarm-before <commit> && ln -s "$PWD/node_modules" /tmp/hilfarm-before/node_modules
 * Loopback only, bounded: BENCH_PAIRED_DEVICES (default 1,000) per side, a window of BENCH_PAIRED_SECONDS (default
 * 20), BENCH_PAIRED_ROUNDS rounds (default 4), each round starting the two sides in the other order. Writes the
 * `Per-frame cost, side by side` section of docs/benchmarks.md (over UDP, `Per-frame cost over UDP, side by side`).
 *
 * With BENCH_PAIRED_CHURN=<devices/s> it measures logins instead (issue 19, aim 2): each side's fleet (default 4,000
 * devices, transport automatic as in `npm run bench:farm`, heartbeat 30 s, window 30 s) is power-cycled at that rate
 * once ramped, and the ratio is of CPU per login (worker + platform: the login, the connect and the first reports of
 * each cycle, with the fleet's heartbeats). Writes the `Login cost, side by side` section.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { allGone, drain, stopped, untilEvent, wait } from "./frame-cost/child-processes.ts";
import { startHeartbeatLoad } from "./frame-cost/heartbeat-load.ts";
import { loadMetrics } from "./frame-cost/load-metrics.ts";
import { cpuByRole, hilfarmBinOf, treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import { machineDescription } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { checkoutSetting, choiceSetting, wholeNumberSetting } from "./settings.ts";

const CHURN = wholeNumberSetting("BENCH_PAIRED_CHURN", 0, 1_000, 0);
const DEVICES = wholeNumberSetting("BENCH_PAIRED_DEVICES", CHURN > 0 ? 4000 : 1000, 9_000);
/** What the ratio is per: a heartbeat round trip, or a login (power cycle) with the churn. */
const per = CHURN > 0 ? "login" : "round trip";
// Logins vary more than heartbeats: a window of 30 s keeps the same code within about 3 % of itself.
const WINDOW_S = wholeNumberSetting("BENCH_PAIRED_SECONDS", CHURN > 0 ? 30 : 20, 3600);
const ROUNDS = wholeNumberSetting("BENCH_PAIRED_ROUNDS", 4, 20);
/** The heartbeat mode's transport: TCP, as bench:cost's, or UDP, as a farm's fleets heartbeat. */
const TRANSPORT = choiceSetting("BENCH_PAIRED_TRANSPORT", ["tcp", "udp"] as const, "tcp");
if (CHURN > 0 && TRANSPORT !== "tcp")
  throw new Error(
    "BENCH_PAIRED_TRANSPORT is for heartbeats: with BENCH_PAIRED_CHURN the fleet's transport is automatic",
  );

const here = fileURLToPath(new URL("..", import.meta.url));
const there = checkoutSetting("BENCH_PAIRED_AGAINST");
if (there === undefined)
  throw new Error(
    "BENCH_PAIRED_AGAINST must name another hilfarm checkout (a directory with bin/hilfarm.mjs), got nothing",
  );

interface Side {
  dir: string;
  child: ChildProcess;
  metrics: string;
  report: string;
  /** The processes of its tree as last sampled. */
  pids: number[];
}

/** Starts `hilfarm load` of the checkout `dir`; resolves once it names its metrics endpoint. */
async function start(dir: string): Promise<Side> {
  const report = await mkdtemp(join(tmpdir(), "hilfarm-bench-paired-"));
  const steadyS = Math.ceil(DEVICES / 1000) + WINDOW_S + 20;
  const load = await startHeartbeatLoad({
    checkout: dir,
    dir: report,
    devices: DEVICES,
    heartbeatS: CHURN > 0 ? 30 : 1,
    steadyS,
    ...(CHURN > 0 ? { transport: "auto" as const, churnPerSecond: CHURN } : { transport: TRANSPORT }),
  });
  const started = await untilEvent(load.lines, "load-started");
  drain(load.lines);
  return { dir, child: load.child, metrics: String(started.metrics), report, pids: [] };
}

/** Stops a side and waits for its platform and worker processes too: the next round must not share the cores. */
async function stop(side: Side): Promise<void> {
  side.child.kill("SIGTERM");
  await stopped(side.child);
  await allGone(side.pids);
  await rm(side.report, { recursive: true, force: true });
}

interface Reading {
  /** Worker and platform, µs per heartbeat round trip (per login with BENCH_PAIRED_CHURN). */
  usEach: number;
  worker: number;
  platform: number;
  /** The coordinator with its embedded broker: a cost per second (snapshots, merges), not per frame. */
  coordinator: number;
  /** Heartbeat round trips (logins with BENCH_PAIRED_CHURN) in the window. */
  units: number;
}

/**
 * Every hilfarm process of a side runs its own checkout's bin/hilfarm.mjs: a comparison whose platform and workers came
 * from the other checkout would compare that one with itself (a bundle kept by sources alone, before 499b521, let a
 * worktree start the main checkout's processes).
 */
function runsFromItsCheckout(side: Side, tree: Map<number, { role: string }>): void {
  const own = join(side.dir, "bin/hilfarm.mjs");
  for (const [pid, { role }] of tree) {
    const bin = hilfarmBinOf(pid);
    if (bin !== undefined && resolve(bin) !== own)
      throw new Error(
        `${side.dir}: its ${role} process (pid ${pid}) runs ${bin}, not ${own}. A checkout of a commit before 499b521 ` +
          "takes a bundle built from the same sources by another checkout: remove node_modules/.cache/hilfarm-bundle and run again",
      );
  }
}

async function round(order: readonly string[]): Promise<Map<string, Reading>> {
  const sides: Side[] = [];
  try {
    for (const dir of order) sides.push(await start(dir));
    // Every device once logged in (with churn, the fleet is never all online again once the ramp ends).
    for (const side of sides)
      for (;;) {
        const { online, logins } = await loadMetrics(side.metrics);
        if (CHURN > 0 ? logins >= DEVICES : online >= DEVICES) break;
        await wait(500);
      }
    // One interval for every device to have started beating; with churn, for the cycles to have begun.
    await wait(3000);
    const before = await Promise.all(sides.map((s) => loadMetrics(s.metrics)));
    const cpu0 = sides.map((s) => treeCpuByProcess([s.child.pid as number]));
    await wait(WINDOW_S * 1000);
    const after = await Promise.all(sides.map((s) => loadMetrics(s.metrics)));
    const cpu1 = sides.map((s) => treeCpuByProcess([s.child.pid as number]));
    const readings = new Map<string, Reading>();
    sides.forEach((side, i) => {
      const tree = cpu1[i] ?? new Map();
      side.pids = [...tree.keys()];
      runsFromItsCheckout(side, tree);
      const roles = cpuByRole(cpu0[i] ?? new Map(), tree);
      const counted = (m: { heartbeats: number; logins: number } | undefined) =>
        (CHURN > 0 ? m?.logins : m?.heartbeats) ?? 0;
      const units = counted(after[i]) - counted(before[i]);
      if (units <= 0) throw new Error(`${side.dir}: no ${per}s in the window`);
      const us = (seconds: number) => (seconds * 1e6) / units;
      readings.set(side.dir, {
        usEach: us((roles.worker ?? 0) + (roles.platform ?? 0)),
        worker: us(roles.worker ?? 0),
        platform: us(roles.platform ?? 0),
        coordinator: us(roles.load ?? 0),
        units,
      });
    });
    return readings;
  } finally {
    await Promise.all(sides.map(stop));
  }
}

const command = `BENCH_PAIRED_AGAINST=${there}${CHURN > 0 ? ` BENCH_PAIRED_CHURN=${CHURN}` : ""}${TRANSPORT === "tcp" ? "" : ` BENCH_PAIRED_TRANSPORT=${TRANSPORT}`} BENCH_PAIRED_DEVICES=${DEVICES} BENCH_PAIRED_SECONDS=${WINDOW_S} BENCH_PAIRED_ROUNDS=${ROUNDS} npm run bench:paired`;
console.info(`bench:paired: ${command}`);
const rows: Array<{ here: Reading; there: Reading; ratio: number }> = [];
for (let i = 1; i <= ROUNDS; i++) {
  const readings = await round(i % 2 === 1 ? [here, there] : [there, here]);
  const mine = readings.get(here) as Reading;
  const theirs = readings.get(there) as Reading;
  rows.push({ here: mine, there: theirs, ratio: mine.usEach / theirs.usEach });
  console.info(
    `round ${i}: worker + platform, this ${mine.usEach.toFixed(1)} µs, against ${theirs.usEach.toFixed(1)} µs per ${per} (${(mine.usEach / theirs.usEach).toFixed(3)})`,
  );
}
const ratios = rows.map((r) => r.ratio).sort((a, b) => a - b);
const median =
  ratios.length % 2 === 1
    ? (ratios[(ratios.length - 1) / 2] as number)
    : ((ratios[ratios.length / 2 - 1] as number) + (ratios[ratios.length / 2] as number)) / 2;
const f = (x: number) => x.toFixed(1);
const cell = (r: Reading) => `${f(r.usEach)} (${f(r.worker)} / ${f(r.platform)}; ${f(r.coordinator)})`;
const traffic =
  CHURN > 0
    ? [
        `\`hilfarm load\` with ${DEVICES.toLocaleString("en-US")} devices (transport automatic, heartbeat 30 s), ${CHURN} of them power-cycled a second once ramped (its own`,
        "platform process and one worker), running at the same time on this machine, read from /proc over the same window;",
        "per login: the CPU of each cycle's login, connect and first reports, with the fleet's heartbeats. The sides share the",
        "cores: the ratio is the result, not the figures. The ratio is of worker + platform; the coordinator (with its",
        "embedded broker) works per second, and is shown beside it.",
      ]
    : [
        `\`hilfarm load\` with ${DEVICES.toLocaleString("en-US")} devices over ${TRANSPORT.toUpperCase()} at 1 s (its own platform process and one worker) running at the same time on this`,
        "machine, read from /proc over the same window. The sides share the cores: the ratio is the result, not the figures. The",
        "ratio is of the frame path, worker + platform; the coordinator (with its embedded broker) works per second, not per",
        "frame, and is shown beside it.",
      ];
const lines = [
  `Made by \`${command}\` (bench/paired-cost.bench.ts): CPU per ${CHURN > 0 ? "login" : "heartbeat round trip"} of this checkout and of another, each`,
  ...traffic,
  "",
  `Machine: ${machineDescription()}.`,
  `This checkout: ${revisionOf(here)}. Against: ${revisionOf(there)}.`,
  "",
  `| round | this: worker + platform µs per ${per} (worker / platform; coordinator) | against: the same | this / against |`,
  "| ---: | ---: | ---: | ---: |",
  ...rows.map((r, i) => `| ${i + 1} | ${cell(r.here)} | ${cell(r.there)} | ${r.ratio.toFixed(3)} |`),
  "",
  `Median of the rounds' ratios: **${median.toFixed(3)}** (rounds ${ratios[0]?.toFixed(3)}-${ratios.at(-1)?.toFixed(3)}).`,
];
const section =
  CHURN > 0
    ? "Login cost, side by side"
    : TRANSPORT === "udp"
      ? "Per-frame cost over UDP, side by side"
      : "Per-frame cost, side by side";
await writeBenchmarkSection(section, lines);
console.log(lines.join("\n"));
