/**
 * `npm run bench:perf`: where the CPU of a heartbeat load goes, read with Linux perf. V8's own sampler
 * (`--cpu-prof`) samples wall time on the main thread: a frame that waits inside a system call (a socket write on
 * a shared core) fills its samples, and the kernel's and the collector threads' work is missing. perf samples CPU
 * time on every thread, the kernel included, and `--perf-basic-prof-only-functions` names the JIT-compiled
 * functions in its stacks.
 *
 * It runs the traffic of bench:cost's (c) (`hilfarm load`, BENCH_PERF_DEVICES three-gang switches over TCP beating
 * every BENCH_PERF_INTERVAL_S, one worker; with BENCH_PERF_CHURN, that many power-cycled a second, transport
 * automatic, as bench:paired's login mode), records the platform and the worker for BENCH_PERF_SECONDS once steady
 * (`perf record -F 999 -g`: stacks by frame pointers, which V8's code keeps), then, once it has stopped, the bare
 * floor with the same devices (bench:cost's, or bench:login's with the churn), and writes the "CPU by function
 * (perf)" section of docs/benchmarks.md: first hilfarm beside the floor by kind of work (the collector, the compilers,
 * JavaScript, crypto, the kernel's network and memory work: frame-cost/work-kinds.ts) in CPU µs per login or round
 * trip, then each process's samples by where they ran (kernel, JIT-compiled JavaScript, the node binary, libc), by
 * the nearest JavaScript function on the stack (the native code it calls counted with it), by the leaf symbol, and the
 * largest leaves by the nearest JavaScript function that called them (who called a builtin, the allocator, the kernel).
 * Needs `perf` (Debian: linux-perf) and permission to profile one's own processes (kernel.perf_event_paranoid <= 2).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { processStat } from "../harness/machine/process-stat.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { type BareCount, startBareFloor, startBareLogin } from "./frame-cost/bare-floor.ts";
import { bundleFrameNamer } from "./frame-cost/bundle-sources.ts";
import { drain, stopped, untilEvent, wait } from "./frame-cost/child-processes.ts";
import { startHeartbeatLoad } from "./frame-cost/heartbeat-load.ts";
import { loadMetrics } from "./frame-cost/load-metrics.ts";
import { type PerfSample, perfOrExplain, samplesOfRecording, tally } from "./frame-cost/perf-script.ts";
import { treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import { tallyWorkKinds, WORK_KINDS, type WorkKind } from "./frame-cost/work-kinds.ts";
import { machineDescription, madeBy } from "./made-by.ts";
import { wholeNumberSetting } from "./settings.ts";

const CHURN = wholeNumberSetting("BENCH_PERF_CHURN", 0, 1_000, 0);
const DEVICES = wholeNumberSetting("BENCH_PERF_DEVICES", CHURN > 0 ? 4000 : 2000, 9_000);
const INTERVAL_S = wholeNumberSetting("BENCH_PERF_INTERVAL_S", CHURN > 0 ? 30 : 1, 300);
const SECONDS = wholeNumberSetting("BENCH_PERF_SECONDS", 10, 120);
const FREQUENCY = 999;
const TOP = 15;
/** Leaf symbols whose callers are listed, and how many callers each. */
const CALLED_LEAVES = 8;
const CALLERS_SHOWN = 4;
const SECTION = "CPU by function (perf)";

const root = fileURLToPath(new URL("..", import.meta.url));
const nameFrame = bundleFrameNamer();
/** Records `pid` for the window; resolves with its CPU seconds over it as /proc counts them, beside perf's samples. */
async function record(pid: number, file: string): Promise<number> {
  const before = processStat(pid)?.cpuSeconds ?? 0;
  await recordWindow(pid, file);
  return (processStat(pid)?.cpuSeconds ?? 0) - before;
}

function recordWindow(pid: number, file: string): Promise<void> {
  const perf = spawn("perf", ["record", "-F", String(FREQUENCY), "-g", "-o", file, "-p", String(pid)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  perf.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    setTimeout(() => perf.kill("SIGINT"), SECONDS * 1000);
    perf.on("error", reject);
    perf.on("exit", (code) =>
      code === 0 || code === null
        ? resolve()
        : reject(new Error(`perf record -p ${pid} exited ${code}: ${stderr.trim().split("\n").at(-1)}`)),
    );
  });
}

const samplesOf = (file: string): PerfSample[] => samplesOfRecording(file, "tid", root, nameFrame);

const percent = (n: number, total: number) => `${((100 * n) / total).toFixed(1)} %`;

function processSection(role: string, samples: PerfSample[], cpuSeconds: number): string[] {
  const total = samples.length;
  const { where, nearestJs, leaf, leafCallers } = tally(samples);
  const rows = (counts: Map<string, number>, n: number) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => `| ${name.replaceAll("|", "\\|")} | ${percent(count, total)} |`);
  return [
    `### ${role}: ${total.toLocaleString("en-US")} samples, ${(total / FREQUENCY).toFixed(2)} CPU s (/proc: ${cpuSeconds.toFixed(2)} s) in ${SECONDS} s, all threads`,
    "",
    "| where the sample ran | share |",
    "| --- | ---: |",
    ...rows(where, 10),
    "",
    "| nearest JavaScript function on the stack (with the native code it called) | share |",
    "| --- | ---: |",
    ...rows(nearestJs, TOP),
    "",
    "| leaf symbol | share |",
    "| --- | ---: |",
    ...rows(leaf, TOP),
    "",
    `The ${CALLED_LEAVES} largest leaf symbols, each by the nearest JavaScript function on its stacks (the ${CALLERS_SHOWN} with the most samples): who called a builtin, the allocator or the kernel:`,
    "",
    "| leaf symbol | nearest JavaScript function | share |",
    "| --- | --- | ---: |",
    ...[...leaf]
      .sort((a, b) => b[1] - a[1])
      .slice(0, CALLED_LEAVES)
      .flatMap(([name]) =>
        [...(leafCallers.get(name) ?? [])]
          .sort((a, b) => b[1] - a[1])
          .slice(0, CALLERS_SHOWN)
          .map(
            ([caller, count]) =>
              `| ${name.replaceAll("|", "\\|")} | ${caller.replaceAll("|", "\\|")} | ${percent(count, total)} |`,
          ),
      ),
    "",
  ];
}

/**
 * The same traffic between a bare floor, recorded the same way, for the shares beside hilfarm's: bench:cost's
 * (bench/frame-cost/bare-heartbeat.mjs) for heartbeats, bench:login's (bench/frame-cost/bare-login.mjs) with churn.
 */
async function bareFloorSections(): Promise<Profiled> {
  const nodeFlags = ["--perf-basic-prof-only-functions"];
  const intervalMs = INTERVAL_S * 1000;
  const { server, client } =
    CHURN > 0
      ? await startBareLogin({
          root,
          devices: DEVICES,
          intervalMs,
          rampPerSecond: 1000,
          churnPerSecond: CHURN,
          nodeFlags,
        })
      : await startBareFloor({ root, devices: DEVICES, intervalMs, nodeFlags });
  const sides = [
    ["bare floor, server", server.child.pid],
    ["bare floor, client", client.child.pid],
  ] as const;
  jitMaps.push(...sides.map(([, pid]) => `/tmp/perf-${pid}.map`));
  try {
    await untilEvent(client.lines, "online");
    const counts = followCounts(client.lines);
    await wait(CHURN > 0 ? 5000 : INTERVAL_S * 1000 + 2000);
    const first = counts();
    const cpu = await Promise.all(
      sides.map(([, pid], i) => record(pid as number, join(dir, `bare-${i}.data`))),
    );
    // The count lines come once a second: the window's units from the rate between the two lines read.
    const last = counts();
    if (!(last.at > first.at))
      throw new Error(
        `bench:perf: the bare floor's client printed no count line over the ${SECONDS} s window (its reason, if it stopped, is on stderr)`,
      );
    const perSecond = ((unitsOf(last) - unitsOf(first)) * 1000) / (last.at - first.at);
    const samples = sides.map((_, i) => samplesOf(join(dir, `bare-${i}.data`)));
    return {
      sections: sides.flatMap(([role], i) => processSection(role, samples[i] ?? [], cpu[i] ?? 0)),
      kinds: samples.map((s) => tallyWorkKinds(s)),
      units: perSecond * SECONDS,
    };
  } finally {
    client.child.kill("SIGTERM");
    server.child.kill("SIGTERM");
    await Promise.all([stopped(client.child), stopped(server.child)]);
  }
}

/** A bare client's `count` lines as they come: the latest, with when it was read. */
function followCounts(lines: AsyncIterator<string>): () => CountRead {
  let last: CountRead = { logins: 0, roundTrips: 0, at: performance.now() };
  void (async () => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) return;
      try {
        const line = JSON.parse(value) as { event?: string; logins?: number; roundTrips?: number };
        if (line.event === "count")
          last = {
            logins: Number(line.logins ?? 0),
            roundTrips: Number(line.roundTrips ?? 0),
            at: performance.now(),
          };
      } catch {
        // not a JSON line
      }
    }
  })();
  return () => last;
}

/** A count line's counts, and when it was read (`performance.now()`). */
interface CountRead extends BareCount {
  at: number;
}

/** What the per-unit figures are per: logins with churn, heartbeat round trips without. */
const unitsOf = (count: { logins: number; roundTrips: number }) =>
  CHURN > 0 ? count.logins : count.roundTrips;

/** Two processes profiled over the window: their sections, their samples by kind of work, and the window's units. */
interface Profiled {
  sections: string[];
  /** [platform side, device side]. */
  kinds: Array<Map<WorkKind, number>>;
  units: number;
}

/** hilfarm's platform and worker: their sections and what went through them during the window. */
async function hilfarmSections(): Promise<Profiled & { traffic: string }> {
  process.env.HILFARM_NODE_FLAGS = [process.env.HILFARM_NODE_FLAGS, "--perf-basic-prof-only-functions"]
    .filter(Boolean)
    .join(" ");
  const load = await startHeartbeatLoad({
    checkout: root,
    dir,
    devices: DEVICES,
    heartbeatS: INTERVAL_S,
    steadyS: Math.ceil(DEVICES / 1000) + INTERVAL_S + SECONDS + 30,
    ...(CHURN > 0 ? { transport: "auto" as const, churnPerSecond: CHURN } : {}),
  });
  try {
    const started = await untilEvent(load.lines, "load-started");
    const metrics = String(started.metrics);
    drain(load.lines);
    while ((await loadMetrics(metrics)).online < DEVICES) await wait(500);
    await wait(CHURN > 0 ? 5000 : INTERVAL_S * 1000 + 2000);
    const processes = [...treeCpuByProcess([load.child.pid as number])].filter(([, p]) =>
      ["platform", "worker"].includes(p.role),
    );
    jitMaps.push(...processes.map(([pid]) => `/tmp/perf-${pid}.map`));
    if (processes.length !== 2)
      throw new Error(`expected a platform and a worker, found ${processes.length}`);
    const first = await loadMetrics(metrics);
    const from = performance.now();
    const cpu = await Promise.all(processes.map(([pid, p]) => record(pid, join(dir, `${p.role}.data`))));
    const last = await loadMetrics(metrics);
    const windowS = (performance.now() - from) / 1000;
    const traffic =
      CHURN > 0
        ? `${Math.round((last.logins - first.logins) / windowS).toLocaleString("en-US")} logins a second`
        : `${Math.round((last.heartbeats - first.heartbeats) / windowS).toLocaleString("en-US")} heartbeat round trips a second`;
    const samples = processes.map(([, p]) => samplesOf(join(dir, `${p.role}.data`)));
    const sections = processes.flatMap(([, p], i) => processSection(p.role, samples[i] ?? [], cpu[i] ?? 0));
    const kindsOf = (role: string) =>
      tallyWorkKinds(samples[processes.findIndex(([, p]) => p.role === role)] ?? []);
    return {
      sections,
      traffic,
      kinds: [kindsOf("platform"), kindsOf("worker")],
      units: CHURN > 0 ? last.logins - first.logins : last.heartbeats - first.heartbeats,
    };
  } finally {
    load.child.kill("SIGTERM");
    await stopped(load.child);
  }
}

/**
 * hilfarm beside the bare floor by kind of work, in CPU µs per login (or round trip): the samples of each kind (one
 * per 1/FREQUENCY s of CPU) over the window's units.
 */
function kindsTable(ours: Profiled, bare: Profiled): string[] {
  const unit = CHURN > 0 ? "login" : "heartbeat round trip";
  const us = (count: number, units: number) => (units > 0 ? (count * 1e6) / FREQUENCY / units : Number.NaN);
  const cell = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-");
  const ratio = (a: number, b: number) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}` : "-";
  const sum = (counts: Map<WorkKind, number> | undefined) =>
    [...(counts?.values() ?? [])].reduce((a, b) => a + b, 0);
  const row = (name: string, pick: (counts: Map<WorkKind, number> | undefined) => number) => {
    const [platform, server, worker, client] = [
      us(pick(ours.kinds[0]), ours.units),
      us(pick(bare.kinds[0]), bare.units),
      us(pick(ours.kinds[1]), ours.units),
      us(pick(bare.kinds[1]), bare.units),
    ] as [number, number, number, number];
    return `| ${name} | ${cell(platform)} | ${cell(server)} | ${ratio(platform, server)} | ${cell(worker)} | ${cell(client)} | ${ratio(worker, client)} |`;
  };
  return [
    `### By kind of work, CPU µs per ${unit}`,
    "",
    `Each process's samples by the kind of work they belong to (bench/frame-cost/work-kinds.ts: the collector and the compilers wherever their frames are on the stack, kernel work by the nearest kernel frame that says what it serves, crypto where OpenSSL lies between the leaf and the nearest JavaScript frame, the rest by the leaf), over the ${unit}s of the window: hilfarm's ${Math.round(ours.units).toLocaleString("en-US")}, the bare floor's ${Math.round(bare.units).toLocaleString("en-US")} (from the rate between its client's count lines).`,
    "",
    "| kind of work | platform | bare server | platform / bare | worker | bare client | worker / bare |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...WORK_KINDS.map((kind) => row(kind, (counts) => counts?.get(kind) ?? 0)),
    row("**all**", sum),
    "",
  ];
}

perfOrExplain("bench:perf");
const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-perf-"));
/** The JIT symbol maps the profiled processes write (`--perf-basic-prof`), removed once read. */
const jitMaps: string[] = [];
try {
  const ours = await hilfarmSections();
  // After hilfarm has stopped: the two runs never share the cores.
  const bare = await bareFloorSections();
  const machine = machineDescription();
  const command = `${CHURN > 0 ? `BENCH_PERF_CHURN=${CHURN} ` : ""}BENCH_PERF_DEVICES=${DEVICES} BENCH_PERF_INTERVAL_S=${INTERVAL_S} BENCH_PERF_SECONDS=${SECONDS} npm run bench:perf`;
  const body = [
    `Made by ${madeBy(command, "bench/cpu-by-function.bench.ts")}: \`hilfarm load\` of ${DEVICES.toLocaleString("en-US")} three-gang switches (${CHURN > 0 ? `transport automatic, heartbeat ${INTERVAL_S} s, ${CHURN} power-cycled a second` : `TCP, heartbeat ${INTERVAL_S} s`}; its own platform process and one worker), ${ours.traffic} during the window; \`perf record -F ${FREQUENCY} -g\` on the platform and on the worker for ${SECONDS} s once steady, every thread (the collector's and the compiler's included) and the kernel's work done for them; then, once hilfarm has stopped, ${CHURN > 0 ? "the bare floor of bench:login (bench/frame-cost/bare-login.mjs) with the same devices, interval and churn" : "the bare floor of bench:cost (bench/frame-cost/bare-heartbeat.mjs) with the same devices and interval"}, recorded the same way. JavaScript is named through \`--perf-basic-prof-only-functions\`, by its source file and name through the source maps of the bundle hilfarm runs from (bin/bundle.mjs); \`*\` marks optimized code, \`^\` baseline code. Stacks are walked by frame pointers, which libc's allocator does not keep: its samples have no JavaScript frame. In a virtual machine, \`pvm_irq_enable\` is where the kernel re-enables interrupts: the network's soft interrupts run there and are charged to it.`,
    "",
    `Machine: ${machine}.`,
    "",
    ...kindsTable(ours, bare),
    ...ours.sections,
    ...bare.sections,
  ];
  await writeBenchmarkSection(SECTION, body);
  console.log(body.join("\n"));
} finally {
  await rm(dir, { recursive: true, force: true });
  await Promise.all(jitMaps.map((map) => rm(map, { force: true })));
}
