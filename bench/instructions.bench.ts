/**
 * Instructions per heartbeat round trip (issue 19, aim 4, read without the host's speed). CPU seconds on a shared
 * 2-core VM move by a fifth between runs minutes apart ("the host in spells"); the instructions a process executes do
 * not. Each side runs under valgrind and is counted per process:
 *   (a) the codec floor: bench/instructions/codec-run.mjs, heartbeat round trips through hilfarm's codec alone, one
 *       process under cachegrind, counted whole: 15,000 round trips less 5,000, over the 10,000 they differ by;
 *   (b) the bare floor: bench/frame-cost/bare-heartbeat.mjs's client and server, as bench:cost's (b);
 *   (c) hilfarm: `hilfarm load` (its platform process, one worker and itself), a TCP fleet, as bench:cost's (c).
 * (b) and (c) run under callgrind: BENCH_INSTR_WARM_S (default 60) s after every device is online, each process is
 * told to count from zero (`callgrind_control -z`) just as the side's round-trip count moves, then to write its count
 * (`-d`) at the same point BENCH_INSTR_WINDOW_S (default 90) s later, twice: two windows back to back, whose
 * agreement shows how far the figure repeats. Under valgrind a process runs many times slower, so the rate is
 * low: BENCH_INSTR_DEVICES (default 100) heartbeating every second, and each side's work per second (timer turns,
 * reports) is shared out over those round trips. User-space instructions only: the kernel's share (the loopback
 * network, the system calls) is not counted. Every process runs with V8 flags that make its count repeat
 * (REPEATABLE_V8_FLAGS: no background threads, no timed collections, a fixed Math.random seed), which puts the work
 * of V8's background threads on its main thread.
 * With BENCH_INSTR_AGAINST=<checkout> (another hilfarm working tree with node_modules), that checkout's (c) is
 * counted the same way and set beside this one's: the use this benchmark is for, a change of 1 % shows.
 * With BENCH_INSTR_SPLIT=1, (b) and (c) are counted again with half the devices, and each process's count is split
 * into the work of a round trip and the work it does every second whatever the rate (rate-split.ts): the per-frame
 * cost that aim 4 asks about, apart from the timer turns and reports that weigh more per round trip the lower the rate.
 * About 20 minutes.
 * With BENCH_INSTR_KEEP=<dir>, each window's callgrind file of every process is kept there
 * (`<side>-<devices>/<role>.<pid>.<window>.callgrind`, side `bare`, `hilfarm` or `against`), for `callgrind_annotate --inclusive=yes` to say which of node's and
 * libuv's functions (a timer's run, a socket's read, a check-phase callback) the instructions went through.
 *   npm run bench:instructions
 * About 11 minutes, 17 with another checkout. Needs valgrind (Debian's package `valgrind`). Loopback only, bounded.
 * Writes the `Instructions per round trip` section of docs/benchmarks.md.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { startBareFloor } from "./frame-cost/bare-floor.ts";
import { allGone, drain, node, stopped, untilEvent, wait, within } from "./frame-cost/child-processes.ts";
import { startHeartbeatLoad } from "./frame-cost/heartbeat-load.ts";
import { loadMetrics } from "./frame-cost/load-metrics.ts";
import { treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import { type CountAtRate, type RateSplit, splitByRate } from "./instructions/rate-split.ts";
import {
  cachegrindInstructions,
  callgrindControl,
  dumpedInstructions,
  REPEATABLE_V8_FLAGS,
  underValgrind,
  valgrindVersion,
} from "./instructions/valgrind.ts";
import { machineDescription } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { checkoutSetting, choiceSetting, wholeNumberSetting } from "./settings.ts";

const DEVICES = wholeNumberSetting("BENCH_INSTR_DEVICES", 100, 300);
const WARM_S = wholeNumberSetting("BENCH_INSTR_WARM_S", 60, 600);
const WINDOW_S = wholeNumberSetting("BENCH_INSTR_WINDOW_S", 90, 600);
const against = checkoutSetting("BENCH_INSTR_AGAINST");
const keep = process.env.BENCH_INSTR_KEEP;
if (keep === "")
  throw new Error(
    "BENCH_INSTR_KEEP must name a directory to keep the callgrind files in, got an empty value",
  );
const split = choiceSetting("BENCH_INSTR_SPLIT", ["0", "1"], "0") === "1";
/** The devices of the second count, with BENCH_INSTR_SPLIT. */
const HALF = Math.floor(DEVICES / 2);
if (split && HALF < 1)
  throw new Error(
    `BENCH_INSTR_SPLIT counts again with half the devices: BENCH_INSTR_DEVICES must be >= 2, got ${DEVICES}`,
  );
/** The codec floor's two runs, in round trips. */
const CODEC_RUNS = [5_000, 15_000] as const;
/** A side under valgrind starts slowly (a process's first minute is mostly compiling): the longest a side may take. */
const RUN_LIMIT_MS = (WARM_S + 2 * WINDOW_S + 300) * 1000;

const valgrind = valgrindVersion();
if (valgrind === undefined)
  throw new Error(
    "bench:instructions needs valgrind, and none is installed here: apt-get install valgrind (Debian's package)",
  );
const root = fileURLToPath(new URL("..", import.meta.url));
const nodeFlags = [...REPEATABLE_V8_FLAGS];
// `hilfarm load`'s platform and workers: after their own flags, as every child of a local run.
process.env.HILFARM_NODE_FLAGS = [...nodeFlags, process.env.HILFARM_NODE_FLAGS ?? ""].join(" ").trim();

// --- (a) codec floor -----------------------------------------------------------------------------------------------

const codecScript = join(root, "bench/instructions/codec-run.mjs");

/** The instructions of one codec run of `roundTrips`, its whole life counted. */
async function codecRun(roundTrips: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-instructions-"));
  try {
    const { child, lines } = node(
      [...nodeFlags, codecScript, String(roundTrips)],
      root,
      underValgrind("cachegrind", dir),
    );
    drain(lines);
    await within(stopped(child), `(a) codec run of ${roundTrips}: ended`, RUN_LIMIT_MS);
    if (child.exitCode !== 0)
      throw new Error(`(a) codec run ended with ${child.exitCode ?? child.signalCode}`);
    const instructions = await cachegrindInstructions(dir);
    console.info(`(a) codec, ${roundTrips} round trips: ${instructions} instructions`);
    return instructions;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One run outside valgrind first: its stripped sources cached, the counted runs load the same way. */
async function codecWarmUp(): Promise<void> {
  const { child, lines } = node([codecScript, "1"], root);
  drain(lines);
  await stopped(child);
  if (child.exitCode !== 0)
    throw new Error(`(a) codec warm-up ended with ${child.exitCode ?? child.signalCode}`);
}

// --- windows ------------------------------------------------------------------------------------------------------

/** One window of a side: round trips completed in it, instructions by role (each role's processes summed). */
interface Window {
  roundTrips: number;
  byRole: Record<string, number>;
}

/**
 * Two windows of WINDOW_S back to back on processes running under callgrind: counting starts from zero just after a
 * round-trip count is seen to move (`nextCount` resolves with the next count the side reports), and each window ends
 * at such a moment with a dump of every process, which starts the next window's count from zero.
 */
async function twoWindows(
  side: string,
  dir: string,
  processes: ReadonlyMap<number, string>,
  nextCount: () => Promise<number>,
): Promise<[Window, Window]> {
  const pids = [...processes.keys()];
  let from = await nextCount();
  for (const pid of pids) callgrindControl(pid, "zero");
  const windows: Window[] = [];
  for (let n = 1; n <= 2; n++) {
    await wait(WINDOW_S * 1000);
    const to = await nextCount();
    for (const pid of pids) callgrindControl(pid, "dump");
    const byRole: Record<string, number> = {};
    for (const [pid, role] of processes)
      byRole[role] = (byRole[role] ?? 0) + (await dumpedInstructions(dir, pid, n));
    windows.push({ roundTrips: to - from, byRole });
    from = to;
  }
  if (keep !== undefined) await keepCounts(side, dir, processes);
  return windows as [Window, Window];
}

/** BENCH_INSTR_KEEP: the side's callgrind files, named by role, before the side's directory goes. */
async function keepCounts(side: string, dir: string, processes: ReadonlyMap<number, string>): Promise<void> {
  const into = join(keep as string, side);
  await mkdir(into, { recursive: true });
  for (const [pid, role] of processes)
    for (const n of [1, 2])
      await copyFile(join(dir, `callgrind.${pid}.${n}`), join(into, `${role}.${pid}.${n}.callgrind`));
  console.info(`${side}: callgrind files kept in ${into}`);
}

/** Resolves with the first value `read` gives that differs from the one it gave when called (polled every 20 ms). */
async function nextChange(read: () => Promise<number>): Promise<number> {
  const before = await read();
  for (let i = 0; i < 500; i++) {
    await wait(20);
    const now = await read();
    if (now !== before) return now;
  }
  throw new Error(`a round-trip count stayed at ${before} for 10 s`);
}

// --- (b) bare floor ------------------------------------------------------------------------------------------------

async function bareWindows(devices: number): Promise<[Window, Window]> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-instructions-"));
  const { server, client } = await startBareFloor({
    root,
    devices,
    intervalMs: 1000,
    nodeFlags,
    runUnder: underValgrind("callgrind", dir),
  });
  try {
    await within(untilEvent(client.lines, "online"), "(b): every device connected", RUN_LIMIT_MS);
    // The client prints its round trips every second: the latest line read is the count now.
    let latest = 0;
    void (async () => {
      for (let line = await client.lines.next(); !line.done; line = await client.lines.next()) {
        const parsed = JSON.parse(line.value) as { event?: string; roundTrips?: number };
        if (parsed.event === "count") latest = Number(parsed.roundTrips);
      }
    })();
    await wait(WARM_S * 1000);
    const processes = new Map([
      [server.child.pid as number, "server"],
      [client.child.pid as number, "client"],
    ]);
    const windows = await twoWindows(`bare-${devices}`, dir, processes, () => nextChange(async () => latest));
    console.info(`(b) bare floor, ${devices} devices: ${JSON.stringify(windows)}`);
    return windows;
  } finally {
    client.child.kill("SIGTERM");
    server.child.kill("SIGTERM");
    await Promise.all([stopped(client.child), stopped(server.child)]);
    await rm(dir, { recursive: true, force: true });
  }
}

// --- (c) hilfarm ---------------------------------------------------------------------------------------------------

async function hilfarmWindows(checkout: string, devices: number): Promise<[Window, Window]> {
  const name = `${checkout === root ? "(c) hilfarm" : `(c) hilfarm at ${checkout}`}, ${devices} devices`;
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-instructions-"));
  const processes = new Map<number, string>();
  const load = await startHeartbeatLoad({
    checkout,
    dir,
    devices,
    heartbeatS: 1,
    // Longer than the measurement: the run is stopped once it has its windows.
    steadyS: RUN_LIMIT_MS / 1000,
    nodeFlags,
    runUnder: underValgrind("callgrind", dir),
  });
  try {
    const started = await within(untilEvent(load.lines, "load-started"), `${name}: started`, RUN_LIMIT_MS);
    const metrics = String(started.metrics);
    drain(load.lines);
    await within(
      (async () => {
        while ((await loadMetrics(metrics)).online < devices) await wait(500);
      })(),
      `${name}: every device online`,
      RUN_LIMIT_MS,
    );
    await wait(WARM_S * 1000);
    for (const [pid, { role }] of treeCpuByProcess([load.child.pid as number]))
      if (role === "load" || role === "platform" || role === "worker") processes.set(pid, role);
    if (![...processes.values()].includes("platform") || ![...processes.values()].includes("worker"))
      throw new Error(`${name}: no platform or worker process under ${load.child.pid}`);
    // The coordinator's count of the workers' round trips, as they report it every second.
    const windows = await twoWindows(
      `${checkout === root ? "hilfarm" : "against"}-${devices}`,
      dir,
      processes,
      () => nextChange(async () => (await loadMetrics(metrics)).heartbeats),
    );
    console.info(`${name}: ${JSON.stringify(windows)}`);
    return windows;
  } finally {
    load.child.kill("SIGTERM");
    await stopped(load.child);
    // Its platform and worker too: the next side must not share the machine with them.
    await allGone([...processes.keys()]);
    await rm(dir, { recursive: true, force: true });
  }
}

// --- run and report ------------------------------------------------------------------------------------------------

interface PerRoundTrip {
  total: number;
  byRole: Record<string, number>;
}

/** Two windows of a side, and both together. */
interface Side {
  label: string;
  windows: [Window, Window];
  both: PerRoundTrip;
}

function perRoundTrip(w: Window): PerRoundTrip {
  if (!(w.roundTrips > 0))
    throw new Error(`a window of ${w.roundTrips} round trips: no figure per round trip`);
  const byRole: Record<string, number> = {};
  for (const [role, n] of Object.entries(w.byRole)) byRole[role] = n / w.roundTrips;
  return { total: Object.values(byRole).reduce((a, n) => a + n, 0), byRole };
}

function sideOf(label: string, windows: [Window, Window]): Side {
  const byRole: Record<string, number> = {};
  for (const w of windows)
    for (const [role, n] of Object.entries(w.byRole)) byRole[role] = (byRole[role] ?? 0) + n;
  return {
    label,
    windows,
    both: perRoundTrip({ roundTrips: windows[0].roundTrips + windows[1].roundTrips, byRole }),
  };
}

const command = [
  `BENCH_INSTR_DEVICES=${DEVICES} BENCH_INSTR_WARM_S=${WARM_S} BENCH_INSTR_WINDOW_S=${WINDOW_S}`,
  ...(against === undefined ? [] : [`BENCH_INSTR_AGAINST=${against}`]),
  ...(split ? ["BENCH_INSTR_SPLIT=1"] : []),
  ...(keep === undefined ? [] : [`BENCH_INSTR_KEEP=${keep}`]),
  "npm run bench:instructions",
].join(" ");
console.info(`bench:instructions: ${command} (${valgrind})`);
await codecWarmUp();
// The two runs differ only in their round trips: start, loading and warm-up cancel.
const codecFewer = await codecRun(CODEC_RUNS[0]);
const codec = ((await codecRun(CODEC_RUNS[1])) - codecFewer) / (CODEC_RUNS[1] - CODEC_RUNS[0]);
const bare = sideOf("(b) bare floor: bench/frame-cost/bare-heartbeat.mjs", await bareWindows(DEVICES));
const ours = sideOf(`(c) hilfarm, ${revisionOf(root)}`, await hilfarmWindows(root, DEVICES));
const theirs =
  against === undefined
    ? undefined
    : sideOf(`(c) hilfarm, ${revisionOf(against)}`, await hilfarmWindows(against, DEVICES));
const halves = split
  ? {
      bare: sideOf("(b) bare floor", await bareWindows(HALF)),
      ours: sideOf("(c) hilfarm", await hilfarmWindows(root, HALF)),
    }
  : undefined;

/** The frame path of (c): its platform and worker, without `hilfarm load`'s own process (shown beside). */
const framePath = (p: PerRoundTrip) =>
  p.byRole.platform === undefined ? p.total : (p.byRole.platform ?? 0) + (p.byRole.worker ?? 0);
const thousands = (n: number) => `${(n / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })}k`;
const roles = (p: PerRoundTrip) =>
  Object.entries(p.byRole)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([role, n]) => `${role} ${thousands(n)}`)
    .join(", ");
const row = (s: Side) => {
  const [w1, w2] = s.windows.map((w) => framePath(perRoundTrip(w)));
  return `| ${s.label} | ${thousands(framePath(s.both))} | ${roles(s.both)} | ${thousands(w1 ?? 0)}, ${thousands(w2 ?? 0)} | ${(framePath(s.both) / framePath(bare.both)).toFixed(2)} | ${(framePath(s.both) / codec).toFixed(1)} |`;
};
const ratioOf = (role: string) =>
  theirs === undefined ? 0 : (ours.both.byRole[role] ?? 0) / (theirs.both.byRole[role] ?? Number.NaN);

/** A side's round trips a second over its two windows. */
const rateOf = (s: Side) => (s.windows[0].roundTrips + s.windows[1].roundTrips) / (2 * WINDOW_S);

/** BENCH_INSTR_SPLIT: each process of (b) and (c), and each frame path, split into per round trip and per second. */
function splitLines(bareHalf: Side, oursHalf: Side): string[] {
  const at = (s: Side, n: number): CountAtRate => ({ perRoundTrip: n, rate: rateOf(s) });
  const splitOf = (full: Side, half: Side, pick: (p: PerRoundTrip) => number): RateSplit =>
    splitByRate(at(full, pick(full.both)), at(half, pick(half.both)));
  const rows: Array<[string, string, (p: PerRoundTrip) => number]> = [
    ["(b) bare floor", "client", (p) => p.byRole.client ?? 0],
    ["(b) bare floor", "server", (p) => p.byRole.server ?? 0],
    ["(b) bare floor", "frame path", framePath],
    ["(c) hilfarm", "worker", (p) => p.byRole.worker ?? 0],
    ["(c) hilfarm", "platform", (p) => p.byRole.platform ?? 0],
    ["(c) hilfarm", "frame path", framePath],
  ];
  const splits = new Map<string, RateSplit>();
  const table = rows.map(([side, role, pick]) => {
    const [full, half] = side.startsWith("(b)") ? [bare, bareHalf] : [ours, oursHalf];
    const parts = splitOf(full, half, pick);
    splits.set(`${side.slice(0, 3)} ${role}`, parts);
    const perSecond = `${(parts.perSecond / 1e6).toFixed(2)}M`;
    return `| ${side} | ${role} | ${thousands(pick(full.both))} | ${thousands(pick(half.both))} | ${thousands(parts.perRoundTrip)} | ${perSecond} |`;
  });
  const ratio = (hilfarmRow: string, floorRow: string) =>
    (
      (splits.get(hilfarmRow)?.perRoundTrip ?? 0) / (splits.get(floorRow)?.perRoundTrip ?? Number.NaN)
    ).toFixed(2);
  return [
    "",
    `Split by rate (BENCH_INSTR_SPLIT=1): (b) and (c) counted again with ${HALF.toLocaleString("en-US")} devices, the same way, and each process's`,
    "count at the two rates solved for count = per round trip + per second / rate: the work of a round trip, and the work",
    "a process does every second whatever the rate (timer turns, reports, the delay probe), which the first table shares",
    "out over the round trips of its second.",
    "",
    `| side | process | per round trip, ${DEVICES.toLocaleString("en-US")} devices | ${HALF.toLocaleString("en-US")} devices | per round trip, the work per second taken out | work per second, instructions |`,
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...table,
    "",
    `Round trips a second over the windows: (b) ${rateOf(bare).toFixed(1)} and ${rateOf(bareHalf).toFixed(1)}, (c) ${rateOf(ours).toFixed(1)} and ${rateOf(oursHalf).toFixed(1)}.`,
    `Per round trip, the work per second taken out, (c)'s frame path is ${ratio("(c) frame path", "(b) frame path")} times (b)'s: the worker ${ratio("(c) worker", "(b) client")} times the bare client, the platform ${ratio("(c) platform", "(b) server")} times the bare server.`,
  ];
}

const lines = [
  `Made by \`${command}\` (bench/instructions.bench.ts), ${revisionOf(root)}${against === undefined ? "" : ` beside ${revisionOf(against)}`}, ${valgrind}:`,
  "user-space instructions per heartbeat round trip (1000 + 1001 over TCP), counted by valgrind in every process of a",
  "side, so that the figures do not move with the host's speed. (b) and (c) ran under callgrind, each counted over two",
  `windows of ${WINDOW_S} s back to back, ${WARM_S} s after every device was online, from and to the moments its round-trip count`,
  `moved; (a) ran under cachegrind, ${CODEC_RUNS[1].toLocaleString("en-US")} round trips in one process less ${CODEC_RUNS[0].toLocaleString("en-US")}. Under valgrind a process runs many`,
  `times slower, so the rate is low: ${DEVICES.toLocaleString("en-US")} devices heartbeating every second, a side's work per second (timer turns,`,
  `reports) shared out over ${DEVICES.toLocaleString("en-US")} round trips a second, where \`npm run bench:cost\` shares it over 2,000; little batching`,
  "of frames. The kernel's share (the loopback network, the system calls) is not counted. Every process ran with",
  "`--single-threaded --no-memory-reducer --random-seed=1`, so that the same work repeats its count; V8's background",
  "work is on the main thread. The frame path of (c) is its platform and its worker (`hilfarm load`'s own process is",
  "shown beside); the ratios are of it.",
  "",
  `Machine: ${machineDescription()}.`,
  "",
  "| side | frame path, instructions per round trip | by process | in each window | times (b) | times (a) |",
  "| --- | ---: | --- | --- | ---: | ---: |",
  `| (a) codec floor: bench/instructions/codec-run.mjs | ${thousands(codec)} | one process | | ${(codec / framePath(bare.both)).toFixed(2)} | 1.0 |`,
  row(bare),
  row(ours),
  ...(theirs === undefined ? [] : [row(theirs)]),
  "",
  `Round trips in the windows: (b) ${bare.windows.map((w) => w.roundTrips.toLocaleString("en-US")).join(" and ")}, (c) ${[ours, ...(theirs === undefined ? [] : [theirs])].map((s) => s.windows.map((w) => w.roundTrips.toLocaleString("en-US")).join(" and ")).join("; ")}.`,
  ...(theirs === undefined
    ? []
    : [
        "",
        `This checkout's frame path is ${(framePath(ours.both) / framePath(theirs.both)).toFixed(4)} times the other's (platform ${ratioOf("platform").toFixed(4)}, worker ${ratioOf("worker").toFixed(4)}).`,
      ]),
  ...(halves === undefined ? [] : splitLines(halves.bare, halves.ours)),
];
await writeBenchmarkSection("Instructions per round trip", lines);
console.log(lines.join("\n"));
