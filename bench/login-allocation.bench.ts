/**
 * Bytes allocated per login, hilfarm's device side and platform beside the bare floor's (issue 19, aim 2: what the
 * collector works through in a ramp). The traffic of bench:login: BENCH_LOGIN_ALLOC_DEVICES (default 4,000) devices
 * powered on at 1,000 a second and heartbeating every BENCH_LOGIN_ALLOC_HEARTBEAT_S (default 30 s), then
 * BENCH_LOGIN_ALLOC_CHURN of them (default 150) power-cycled a second, each cycle a login (1002/1003 over
 * TCP, then 1004/1005, 2006/2007 and 2022/2023 over a new UDP socket). Each process samples its allocations (V8's sampling heap profiler every 512 bytes, objects already
 * collected counted too; bench/frame-cost/heap-sampler.mjs) over a window of BENCH_LOGIN_ALLOC_SECONDS (default 20)
 * opened and closed by a signal at the moments the logins are counted:
 *   (b) the bare floor: bench/frame-cost/bare-login.mjs's server and client, logins counted by the client's lines;
 *   (c) hilfarm: `hilfarm load` (one worker) with the reference platform as a process, logins by its /metrics;
 *   and, with BENCH_LOGIN_ALLOC_AGAINST=<another checkout>, that checkout's hilfarm the same way.
 * Besides the totals it lists the worker's and the platform's largest allocation sites, each with the nearest of
 * hilfarm's own functions on its stack, and by those functions. A sampling profile is good to about 5 %. With
 * BENCH_LOGIN_ALLOC_PROFILES=<directory> the profiles are kept there, as Chrome DevTools' Memory tab loads them.
 * V8's profile names the function of each stack frame: what an optimized function inlined is counted as its own.
 * BENCH_LOGIN_ALLOC_NODE_FLAGS adds node flags to every sampled process: `--no-turbo-inlining` names each function
 * (at the price of the allocations that inlining would have removed).
 *   npm run bench:login-alloc
 * With BENCH_LOGIN_ALLOC_CHURN=0 the window counts the steady heartbeat round trips instead (1000/1001 over UDP, every
 * BENCH_LOGIN_ALLOC_HEARTBEAT_S), and the bytes are per round trip, beside the bare floor's.
 * Loopback only, bounded. Writes the `Allocation per login` section of docs/benchmarks.md, or without churn the
 * `Allocation per heartbeat round trip, beside the bare floor` section.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import {
  allocationSites,
  allocationsByOurs,
  bytesOf,
  type SampledNode,
  sampledProfilesIn,
  sourceFunctionNamer,
} from "./frame-cost/allocation-sites.ts";
import { wait, within } from "./frame-cost/child-processes.ts";
import {
  bareLoginWindow,
  countedUnit,
  hilfarmLoginWindow,
  loginTrafficSettings,
  type MeasuredProcess,
  sideRows,
} from "./frame-cost/login-window.ts";
import { machineDescription } from "./made-by.ts";

const { traffic, against: AGAINST } = loginTrafficSettings("BENCH_LOGIN_ALLOC", 0);
const { devices: DEVICES, churnPerSecond: CHURN, seconds: SECONDS, heartbeatS: HEARTBEAT_S } = traffic;
/** A directory to keep the profiles in, as DevTools opens them (<side>-<role>.heapprofile), or undefined. */
const KEEP = process.env.BENCH_LOGIN_ALLOC_PROFILES;
const NODE_FLAGS = (process.env.BENCH_LOGIN_ALLOC_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "");
const TOP = 12;

const root = fileURLToPath(new URL("..", import.meta.url));
const sampler = join(root, "bench/frame-cost/heap-sampler.mjs");

/** What the window counts and the bytes are divided by: a login, or a heartbeat round trip without churn. */
const UNIT = countedUnit(traffic);

interface Sampled {
  /** Logins or heartbeat round trips (UNIT) in the window. */
  counted: number;
  /** Each sampled process's profile by its role (platform, worker, bare-server, bare-client). */
  profiles: Map<string, SampledNode>;
}

/** Opens (or closes) the sampling window of each process: heap-sampler.mjs turns on each SIGUSR2. */
const signal = (measured: readonly MeasuredProcess[]) => {
  for (const { pid } of measured) process.kill(pid, "SIGUSR2");
};

/** The profiles of the window's `count` processes by their roles, once all are written to `dir`. */
async function profilesIn(dir: string, count: number): Promise<Map<string, SampledNode>> {
  const written = await within(
    (async () => {
      for (;;) {
        const profiles = await sampledProfilesIn(dir);
        if (profiles.length >= count) return profiles;
        await wait(200);
      }
    })(),
    `the sampled processes did not write their ${count} profiles to ${dir}`,
    30_000,
  );
  return new Map(written.map(({ role, head }) => [role, head]));
}

const sampledFlags = ["--import", sampler, ...NODE_FLAGS];
const sampling = (dir: string) => ({
  open: signal,
  close: signal,
  collect: () => profilesIn(dir, 2),
});

async function bareFloor(dir: string): Promise<Sampled> {
  process.env.BENCH_ALLOC_DIR = dir;
  const window = await bareLoginWindow(root, traffic, sampledFlags, sampling(dir));
  return { counted: window.counted, profiles: window.collected };
}

async function hilfarm(checkout: string, dir: string): Promise<Sampled> {
  process.env.BENCH_ALLOC_DIR = dir;
  const window = await hilfarmLoginWindow(checkout, dir, traffic, sampledFlags, sampling(dir));
  return { counted: window.counted, profiles: window.collected };
}

const perUnit = (bytes: number, counted: number) => Math.round(bytes / counted).toLocaleString("en-US");

const command = [
  `BENCH_LOGIN_ALLOC_DEVICES=${DEVICES} BENCH_LOGIN_ALLOC_CHURN=${CHURN} BENCH_LOGIN_ALLOC_SECONDS=${SECONDS}`,
  ...(HEARTBEAT_S === 30 ? [] : [`BENCH_LOGIN_ALLOC_HEARTBEAT_S=${HEARTBEAT_S}`]),
  ...(AGAINST === undefined ? [] : ["BENCH_LOGIN_ALLOC_AGAINST=<another checkout>"]),
  ...(NODE_FLAGS.length === 0 ? [] : [`BENCH_LOGIN_ALLOC_NODE_FLAGS="${NODE_FLAGS.join(" ")}"`]),
  "npm run bench:login-alloc",
].join(" ");
console.info(`bench:login-alloc: ${command}`);
process.env.BENCH_ALLOC_ON = "signal";
if (KEEP !== undefined) await mkdir(KEEP, { recursive: true });
const work = await mkdtemp(join(tmpdir(), "hilfarm-bench-login-alloc-"));
try {
  const side = async (name: string, measure: (dir: string) => Promise<Sampled>) => {
    const dir = join(work, name);
    await mkdir(dir);
    const sampled = await measure(dir);
    if (KEEP !== undefined)
      for (const { file, role } of await sampledProfilesIn(dir))
        await copyFile(join(dir, file), join(KEEP, `${name}-${role}.heapprofile`));
    if (sampled.counted <= 0) throw new Error(`${name}: no ${UNIT}s in the window`);
    console.info(`${name}: ${sampled.counted} ${UNIT}s in the window`);
    return sampled;
  };
  const bare = await side("bare", bareFloor);
  const ours = await side("hilfarm", (dir) => hilfarm(root, dir));
  const against = AGAINST === undefined ? undefined : await side("against", (dir) => hilfarm(AGAINST, dir));

  const bytes = (s: Sampled, role: string) => {
    const head = s.profiles.get(role);
    if (head === undefined) throw new Error(`no allocation profile of the ${role} process`);
    return bytesOf(head);
  };
  const totalRow = (what: string, s: Sampled, device: string, platform: string) =>
    `| ${what} | ${s.counted.toLocaleString("en-US")} | ${perUnit(bytes(s, device), s.counted)} | ${perUnit(bytes(s, platform), s.counted)} | ${perUnit(bytes(s, device) + bytes(s, platform), s.counted)} |`;
  const nameOf = sourceFunctionNamer(root);
  const sitesOf = (role: string) => {
    const head = ours.profiles.get(role) as SampledNode;
    const all = bytesOf(head);
    const share = (bytes: number) => `${((100 * bytes) / all).toFixed(1)} %`;
    const sites = allocationSites(head, nameOf);
    const title = role === "worker" ? "The worker's" : "The platform's";
    return [
      `${title} ${perUnit(all, ours.counted)} bytes per ${UNIT} by the nearest of hilfarm's functions on the stack (itself or what it calls), the ${TOP} largest:`,
      "",
      `| hilfarm function | bytes per ${UNIT} | share | its largest site: allocated in, bytes per ${UNIT} |`,
      "| --- | ---: | ---: | --- |",
      ...allocationsByOurs(sites)
        .slice(0, TOP)
        .map(
          (f) =>
            `| ${f.ours} | ${perUnit(f.bytes, ours.counted)} | ${share(f.bytes)} | ${f.largest.site === f.ours ? "itself" : f.largest.site}, ${perUnit(f.largest.bytes, ours.counted)} |`,
        ),
      "",
      `${title} ${TOP} largest allocation sites:`,
      "",
      `| allocated in | nearest hilfarm function on its stack | bytes per ${UNIT} | share |`,
      "| --- | --- | ---: | ---: |",
      ...sites
        .slice(0, TOP)
        .map(
          (s) =>
            `| ${s.site} | ${s.ours === s.site ? "itself" : s.ours} | ${perUnit(s.bytes, ours.counted)} | ${share(s.bytes)} |`,
        ),
    ];
  };
  const lines = [
    `Made by \`${command}\` (bench/login-allocation.bench.ts): bytes allocated per ${UNIT} on each side, sampled in each`,
    `process over a ${SECONDS} s window (V8's sampling heap profiler every 512 bytes, collected objects included; about 5 %) while`,
    ...(CHURN > 0
      ? [
          `${CHURN} of ${DEVICES.toLocaleString("en-US")} devices are power-cycled a second (each cycle a login: 1002/1003 over TCP, then 1004/1005,`,
          `2006/2007 and 2022/2023 over a new UDP socket; the fleet heartbeating every ${HEARTBEAT_S} s beside it), divided by the logins`,
          "counted at the window's edges. Garbage is what the collector works through: in a ramp, the collector is the largest",
          "part of hilfarm's CPU beyond the floor's.",
        ]
      : [
          `${DEVICES.toLocaleString("en-US")} devices, all online, heartbeat every ${HEARTBEAT_S} s (1000/1001 over UDP) and nothing else happens,`,
          "divided by the round trips counted at the window's edges. Garbage is what the collector works through: the bytes",
          "of a round trip are what a steady fleet's heartbeats cost the collector, on each side.",
        ]),
    "",
    `Machine: ${machineDescription()}.`,
    "",
    `| side | ${UNIT}s in the window | device side, bytes per ${UNIT} | platform side | both |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...sideRows(totalRow, { bare, ours, against }, "BENCH_LOGIN_ALLOC_AGAINST"),
    "",
    "A site is the function on the stack when V8 sampled the allocation; what an optimized function inlined counts as its",
    NODE_FLAGS.includes("--no-turbo-inlining")
      ? "own, but this run's processes inlined nothing (`--no-turbo-inlining`): each function is named, and the totals hold allocations that inlining would have removed."
      : 'own ("itself" may be a callee it inlined; `BENCH_LOGIN_ALLOC_NODE_FLAGS=--no-turbo-inlining` names each).',
    "",
    ...sitesOf("worker"),
    "",
    ...sitesOf("platform"),
  ];
  await writeBenchmarkSection(
    CHURN > 0 ? "Allocation per login" : "Allocation per heartbeat round trip, beside the bare floor",
    lines,
  );
  console.log(lines.join("\n"));
} finally {
  await rm(work, { recursive: true, force: true });
}
