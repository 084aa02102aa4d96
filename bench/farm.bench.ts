/**
 * Farm density: how many devices one machine holds against the reference platform on the same machine, what each
 * device costs, and the heartbeat round trip once every device is online. Writes its section of docs/benchmarks.md.
 *   npm run bench:farm
 * Loopback only, bounded: BENCH_FARM_DEVICES (default 50,000) devices, ramped at BENCH_FARM_RAMP per second
 * (default 250), held BENCH_FARM_STEADY seconds (default 90) at a 30 s heartbeat; the run stops at the end of that.
 * BENCH_FARM_TRANSPORT (`tcp`, `udp`; default the fleet's `auto`) forces one transport, and writes its own section.
 * BENCH_FARM_PLATFORM_PROCESSES (1-64; default `hilfarm load`'s: one per 18,000 devices that may use TCP) sets the
 * reference platform's processes, and writes its own section.
 * BENCH_FARM_WORKERS (1-64; default `hilfarm load`'s: cli/load/worker-count.ts) sets the local worker
 * processes (`--workers`), and writes its own section.
 * BENCH_FARM_IDLE_WORKERS=1 and BENCH_FARM_SEPARATE_CPUS=1 pass `--idle-workers` and `--separate-cpus` to
 * `hilfarm load` (Linux), and each writes its own section.
 * BENCH_FARM_RAMP_HOLD (`off`, or 1-60000 ms) passes `--ramp-hold` (default `hilfarm load`'s: 100 ms), and writes its
 * own section.
 * BENCH_FARM_WORKER_NICENESS (0-19) passes `--worker-niceness` (default `hilfarm load`'s: 10), and writes its own
 * section.
 * Aim 2's CPU per device brought online is read from /proc every 250 ms (the local workers and platform), from the
 * ramp's first power-on to every device online, with the cores' busy share over that window: it is a cost at the rate
 * reached (it falls as the rate rises), so set it beside the bare floor's (`npm run bench:bare-ramp`) at one rate.
 * BENCH_RAMP_PERF=1 also records the whole machine with Linux perf over that window (frame-cost/ramp-kinds.ts, as
 * bench:bare-ramp does with the same setting) and adds the platform's and the workers' CPU by kind of work, per device.
 * BENCH_FARM_SUMMARY=<file> writes the run's figures there as JSON (farm-pairs/run-summary.ts) instead of its section:
 * `npm run bench:farm-pairs` runs bench:farm so, two settings alternated, and writes one section for all its runs.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extraNodeFlags, FARM_WORKER_NODE_FLAGS } from "../cli/load/local-processes.ts";
import { farmShareOfTail } from "../emulators/farm/farm-delay.ts";
import { parseRampHold, RAMP_HOLD_RULE } from "../emulators/farm/farm-messages.ts";
import { FARM_TICK_MS } from "../emulators/farm/farm-tick.ts";
import type { LatencySummary, LoadReport } from "../emulators/farm/load-report.ts";
import { rampHeld } from "../emulators/farm/ramp-lag.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import {
  AIM_1_P99_MS,
  AIM_1_P999_MS,
  AIM_2_LOGIN_P99_MS,
  AIMS_RAMP,
  FarmRunSummarySchema,
} from "./farm-pairs/run-summary.ts";
import { settingsInEnvironment } from "./farm-pairs/side-settings.ts";
import { bundleFrameNamer } from "./frame-cost/bundle-sources.ts";
import { perfOrExplain } from "./frame-cost/perf-script.ts";
import { coresBusy, treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import {
  PERF_NODE_FLAG,
  rampKindsSection,
  rampPerfAsked,
  recordMachine,
  removeJitMaps,
} from "./frame-cost/ramp-kinds.ts";
import { machineDescription } from "./made-by.ts";
import { choiceSetting, numberSetting, wholeNumberSetting } from "./settings.ts";

const devices = wholeNumberSetting("BENCH_FARM_DEVICES", 50_000, 100_000);
// As `hilfarm load` takes `--ramp` and `--steady`; the steady hold at most an hour, as the other benches' windows.
const ramp = numberSetting("BENCH_FARM_RAMP", 250, 0.1, 100_000);
const steady = numberSetting("BENCH_FARM_STEADY", 90, 0, 3600);
const transport = choiceSetting("BENCH_FARM_TRANSPORT", ["tcp", "udp"] as const, undefined);
/** A count of processes (1-64) from the environment; undefined leaves it to `hilfarm load`. */
const processCount = (name: string) =>
  process.env[name] === undefined ? undefined : wholeNumberSetting(name, 1, 64);
const platformProcesses = processCount("BENCH_FARM_PLATFORM_PROCESSES");
const workers = processCount("BENCH_FARM_WORKERS");
const workerNiceness =
  process.env.BENCH_FARM_WORKER_NICENESS === undefined
    ? undefined
    : wholeNumberSetting("BENCH_FARM_WORKER_NICENESS", 10, 19, 0);
const flag = (name: string) => {
  const value = process.env[name];
  if (value !== undefined && value !== "0" && value !== "1")
    throw new Error(`${name} must be 0 or 1, got ${value}`);
  return value === "1";
};
const idleWorkers = flag("BENCH_FARM_IDLE_WORKERS");
const perf = rampPerfAsked();
if (perf) perfOrExplain("bench:farm with BENCH_RAMP_PERF=1");
const separateCpus = flag("BENCH_FARM_SEPARATE_CPUS");
/** `--ramp-hold`'s value, checked by the rule `hilfarm load` checks it by; undefined leaves it to `hilfarm load`. */
const rampHold = (() => {
  const text = process.env.BENCH_FARM_RAMP_HOLD;
  if (text === undefined) return undefined;
  const hold = parseRampHold(text);
  if (hold === undefined) throw new Error(`BENCH_FARM_RAMP_HOLD must be ${RAMP_HOLD_RULE}, got ${text}`);
  return String(hold);
})();

const settings = settingsInEnvironment()
  .map((word) => `${word} `)
  .join("");

// The workers' own flags, then HILFARM_NODE_FLAGS, as on their command line: a flag given twice, the later wins.
const givenNodeFlags = extraNodeFlags();
const workerNodeFlags =
  [...FARM_WORKER_NODE_FLAGS, ...givenNodeFlags].join(" ") +
  (givenNodeFlags.length > 0 ? " (a flag given twice: the later wins)" : "");

const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-farm-"));
const fleet = join(dir, "fleet.json");
await writeFile(
  fleet,
  JSON.stringify({
    seed: 5,
    ...(transport === undefined ? {} : { transport }),
    devices: [{ profile: "three-gang-switch", count: devices }],
  }),
);
const args = [
  "load",
  "--fleet",
  fleet,
  "--ramp",
  String(ramp),
  "--steady",
  String(steady),
  "--heartbeat",
  "30",
  ...(platformProcesses === undefined ? [] : ["--platform-processes", String(platformProcesses)]),
  ...(workers === undefined ? [] : ["--workers", String(workers)]),
  ...(idleWorkers ? ["--idle-workers"] : []),
  ...(separateCpus ? ["--separate-cpus"] : []),
  ...(rampHold === undefined ? [] : ["--ramp-hold", rampHold]),
  ...(workerNiceness === undefined ? [] : ["--worker-niceness", String(workerNiceness)]),
  "--report-dir",
  dir,
];
const command = `hilfarm ${args.join(" ").replace(dir, "<tmp>").replace(dir, "<tmp>")}`;
console.info(`bench:farm: ${command}`);
const started = Date.now();
/**
 * The CPU seconds of the run's local workers and platform processes (/proc), every 250 ms, for aim 2's CPU per device;
 * and of the coordinator (`hilfarm load` with its embedded broker), which shares the cores but works per second.
 */
const cpuSamples: Array<{ at: number; worker: number; platform: number; coordinator: number }> = [];
/** The run's local workers and platform processes by pid, as the samples found them: whose perf samples are whose. */
const roles = new Map<number, "worker" | "platform">();
const perfData = join(dir, "ramp.data");
const recording = perf ? recordMachine(perfData) : undefined;
const nodeFlags = [process.env.HILFARM_NODE_FLAGS, ...(perf ? [PERF_NODE_FLAG] : [])]
  .filter(Boolean)
  .join(" ");
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("../bin/hilfarm.mjs", import.meta.url)), ...args],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ...(nodeFlags === "" ? {} : { HILFARM_NODE_FLAGS: nodeFlags }) },
    },
  );
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    const sample = { at: Date.now(), worker: 0, platform: 0, coordinator: 0 };
    for (const [pid, p] of treeCpuByProcess([child.pid]))
      if (p.role === "worker" || p.role === "platform") {
        sample[p.role] += p.cpuSeconds;
        roles.set(pid, p.role);
      } else if (pid === child.pid) sample.coordinator += p.cpuSeconds;
    cpuSamples.push(sample);
  }, 250);
  child.on("exit", (exitCode) => {
    clearInterval(sampler);
    resolve(exitCode);
  });
});
await recording?.stop();
const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as LoadReport;
const wallSeconds = (Date.now() - started) / 1000;

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);
const row = (name: string, s: LatencySummary | undefined) =>
  s === undefined || s.count === 0
    ? `| ${name} | 0 | - | - | - | - | - |`
    : `| ${name} | ${s.count.toLocaleString("en-US")} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.p999)} | ${ms(s.max)} |`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const t = report.totals;
const steadyFrom = report.steady?.fromSeconds;
// Not measured (undefined, shown as "-") when the platform did not report its memory: never a made-up 0 that meets aim 5.
const platformBytesPerDevice =
  report.platform?.rssBytes === undefined
    ? undefined
    : (report.platform.rssBytes - (report.platform.readyRssBytes ?? 0)) / Math.max(1, t.devices);
// At the peak: what the machine had to hold. The RSS at the end follows the collector (it may just have given memory
// back); the peak does not.
const platformPeakBytesPerDevice =
  report.platform?.peakRssBytes === undefined
    ? undefined
    : (report.platform.peakRssBytes - (report.platform.readyRssBytes ?? 0)) / Math.max(1, t.devices);
const steadyHeartbeat = report.steady?.latency.heartbeat;
const loginTimeouts = report.errors["login-timeout"] ?? 0;
// The once-a-second samples: when every device was online, if ever; else when the most were.
const allOnlineAt = report.online.find((sample) => sample.online >= t.devices)?.t;
const peak = report.online.reduce((best, sample) => (sample.online > best.online ? sample : best), {
  t: 0,
  online: 0,
});
const onlineAt = (seconds: number) => report.online.findLast((sample) => sample.t <= seconds)?.online ?? 0;
const onlineRate =
  allOnlineAt !== undefined ? t.devices / Math.max(1, allOnlineAt) : peak.online / Math.max(1, peak.t);
const onlineRateText =
  allOnlineAt !== undefined
    ? `${onlineRate.toFixed(0)} (all online at ${allOnlineAt} s; ramp asked: ${ramp})`
    : `${onlineRate.toFixed(0)}, never all online: at most ${peak.online.toLocaleString("en-US")}, at ${peak.t} s (ramp asked: ${ramp})`;
const times = (value: number, aim: number) => `${(value / aim).toFixed(2)}x`;
// From the ramp's first power-on rather than the run's start (the run's first seconds start the workers and the
// platform, before any device logs in), timed by the workers' own clocks (the report's `ramp`).
const rampSeconds = report.ramp?.lastPowerOnSeconds;
const allOnlineSeconds = report.ramp?.allOnlineSeconds;
const perSecond = (s: number | undefined) => (s === undefined || s <= 0 ? undefined : t.devices / s);
const poweredOnRate = perSecond(rampSeconds);
const onlineFromFirstPowerOn = perSecond(allOnlineSeconds);
const behindRamp =
  rampSeconds === undefined || allOnlineSeconds === undefined ? undefined : allOnlineSeconds - rampSeconds;
// CPU of the local workers and platform from the first power-on to every device online, per device brought online
// (the heartbeats of those already online included): the samples nearest the two moments, by this machine's clock.
const nearestSample = (at: number) =>
  cpuSamples.reduce<(typeof cpuSamples)[number] | undefined>(
    (best, s) => (best === undefined || Math.abs(s.at - at) < Math.abs(best.at - at) ? s : best),
    undefined,
  );
const rampCpu = (() => {
  if (report.ramp === undefined || allOnlineSeconds === undefined) return undefined;
  const from = Date.parse(report.ramp.firstPowerOnAt);
  const [a, b] = [nearestSample(from), nearestSample(from + allOnlineSeconds * 1000)];
  if (a === undefined || b === undefined || b.at <= a.at) return undefined;
  const us = (seconds: number) => (seconds * 1e6) / t.devices;
  const cpuSeconds = b.worker - a.worker + b.platform - a.platform;
  const seconds = (b.at - a.at) / 1000;
  return {
    worker: us(b.worker - a.worker),
    platform: us(b.platform - a.platform),
    coordinator: us(b.coordinator - a.coordinator),
    busy: coresBusy(cpuSeconds, seconds),
    busyWithCoordinator: coresBusy(cpuSeconds + b.coordinator - a.coordinator, seconds),
  };
})();
// The ramp's CPU budget: every core busy, 2,000 devices a second.
const budgetUs = (cpus().length * 1e6) / AIMS_RAMP;
// The most devices powered on and not yet online at once (the once-a-second samples): logins in flight or waiting.
const waiting = Math.max(0, ...report.online.map((sample) => (sample.poweredOn ?? 0) - sample.online));
const rateText = (rate: number | undefined, what: string) =>
  rate === undefined ? `not measured (${what})` : rate.toFixed(0);
const ratio = (value: number | undefined, aim: number) => (value === undefined ? "-" : times(value, aim));
// The run turns steady when every device is online, or a minute after the ramp whatever the count.
const steadyWhy =
  steadyFrom === undefined
    ? ""
    : allOnlineAt !== undefined && allOnlineAt <= steadyFrom + 1
      ? " (every device online)"
      : ` (a minute after the ramp, with ${onlineAt(steadyFrom).toLocaleString("en-US")} of ${t.devices.toLocaleString("en-US")} devices online)`;
// A run too short to turn steady, or whose steady window held no heartbeat, has no steady figure: none is made up.
const figures = (s: LatencySummary | undefined) => (s === undefined || s.count === 0 ? undefined : s);
const steadyFigures = figures(steadyHeartbeat);
const steadyP99 = steadyFigures?.p99;
const steadyP999 = steadyFigures?.p999;
const steadyText = (value: number | undefined) =>
  value === undefined ? "not measured (no heartbeat round trip once steady)" : `${ms(value)} ms`;
const kib = (bytes: number | undefined) => (bytes === undefined ? "-" : `${(bytes / 1024).toFixed(1)} KiB`);
const timesKib = (bytes: number | undefined, aim: number) =>
  bytes === undefined ? "-" : times(bytes / 1024, aim);
const aims = [
  "| aim (issue 19) | this run | aim | run / aim |",
  "| --- | ---: | ---: | ---: |",
  `| 1. devices held at the end, errors | ${t.onlineAtEnd.toLocaleString("en-US")} of ${t.devices.toLocaleString("en-US")}, ${Object.values(report.errors).reduce((a, b) => a + b, 0)} errors | 100,000 of 100,000, 0 | ${times(t.onlineAtEnd, 100_000)} |`,
  `| 1. steady heartbeat p99 | ${steadyText(steadyP99)} | < ${AIM_1_P99_MS} ms | ${ratio(steadyP99, AIM_1_P99_MS)} |`,
  `| 1. steady heartbeat p99.9 | ${steadyText(steadyP999)} | < ${AIM_1_P999_MS} ms | ${ratio(steadyP999, AIM_1_P999_MS)} |`,
  `| 2. devices online per second, start to all online | ${onlineRateText} | ${AIMS_RAMP.toLocaleString("en-US")} | ${times(onlineRate, AIMS_RAMP)} |`,
  `| 2. devices powered on per second, first power-on to last (the ramp itself) | ${rateText(poweredOnRate, "not every device powered on")}${rampSeconds === undefined ? "" : ` (the last ${rampSeconds.toFixed(2)} s after the first${report.ramp?.heldSeconds === undefined ? "" : `; ${rampHeld(report.ramp.heldSeconds, report.profile.rampHold)}`})`} | ${AIMS_RAMP.toLocaleString("en-US")} | ${ratio(poweredOnRate, AIMS_RAMP)} |`,
  `| 2. devices online per second, first power-on to all online | ${rateText(onlineFromFirstPowerOn, "never every device online at once")}${allOnlineSeconds === undefined ? "" : ` (all online ${allOnlineSeconds.toFixed(2)} s after the first power-on; at most ${waiting.toLocaleString("en-US")} powered on and not yet online at once)`} | ${AIMS_RAMP.toLocaleString("en-US")} | ${ratio(onlineFromFirstPowerOn, AIMS_RAMP)} |`,
  `| 2. all online after the last power-on: how far the logins fell behind the ramp | ${behindRamp === undefined ? "-" : `${Math.max(0, behindRamp).toFixed(2)} s${behindRamp < 0 ? " (the workers' clocks disagree)" : ""}`} | < 1 s (the login p99 aim) | ${ratio(behindRamp === undefined ? undefined : Math.max(0, behindRamp), 1)} |`,
  `| 2. CPU per device brought online, local workers + platform, first power-on to all online (/proc every 250 ms; heartbeats of the devices online included) | ${rampCpu === undefined ? "not measured (never every device online at once, or the platform elsewhere)" : `${(rampCpu.worker + rampCpu.platform).toFixed(0)} µs (workers ${rampCpu.worker.toFixed(0)}, platform ${rampCpu.platform.toFixed(0)}; the cores ${rampCpu.busy} busy with them, ${rampCpu.busyWithCoordinator} with the coordinator's ${rampCpu.coordinator.toFixed(0)} µs beside them, not counted: at 100 % the cores bound the ramp); the bare floor's: \`npm run bench:bare-ramp\``} | ${budgetUs.toFixed(0)} µs (2,000 a second on ${cpus().length} cores) | ${rampCpu === undefined ? "-" : times(rampCpu.worker + rampCpu.platform, budgetUs)} |`,
  `| 2. login p99, login timeouts | ${ms(report.latency.login.p99)} ms, ${loginTimeouts} | < ${AIM_2_LOGIN_P99_MS.toLocaleString("en-US")} ms, 0 | ${times(report.latency.login.p99, AIM_2_LOGIN_P99_MS)} |`,
  `| 5. worker memory per device, at the end | ${kib(t.rssBytesPerDevice)} | < 12 KiB | ${timesKib(t.rssBytesPerDevice, 12)} |`,
  `| 5. worker memory per device, at each worker's peak | ${kib(t.peakRssBytesPerDevice)} | < 12 KiB | ${timesKib(t.peakRssBytesPerDevice, 12)} |`,
  `| 5. platform memory per device, at the end | ${kib(platformBytesPerDevice)} | < 10 KiB | ${timesKib(platformBytesPerDevice, 10)} |`,
  `| 5. platform memory per device, at each process's peak | ${kib(platformPeakBytesPerDevice)} | < 10 KiB | ${timesKib(platformPeakBytesPerDevice, 10)} |`,
];
const lines = [
  `Made by \`${settings}npm run bench:farm\` (bench/farm.bench.ts), which ran \`${command}\` (exit ${code}), a fleet of three-gang switches`,
  `(transport ${transport ?? "auto: UDP for the first two logins after power-on, then TCP"}): the ${report.target.description}`,
  `and the devices in worker processes (niceness ${workerNiceness ?? 10}${idleWorkers ? ", in Linux's idle scheduling class" : ""}; Node flags ${workerNodeFlags}) on the same machine${separateCpus ? " (the platform on the first half of the CPUs, the workers on the rest)" : ""}, over loopback, their UDP sockets spread over`,
  "source addresses 127.0.0.2-127.0.0.9, every device's timers on its worker's timer wheel.",
  "",
  `Machine: ${machineDescription()}; run took ${wallSeconds.toFixed(0)} s wall; stop: ${report.stopReason}.`,
  "",
  "| figure | value |",
  "| --- | ---: |",
  `| devices in the fleet | ${t.devices.toLocaleString("en-US")} |`,
  `| devices online at the end (held) | ${t.onlineAtEnd.toLocaleString("en-US")} |`,
  `| platform's own count online at the end | ${(report.platform?.sessionsOnline ?? 0).toLocaleString("en-US")} |`,
  `| worker processes | ${report.workers.length} |`,
  `| memory per device (worker RSS above baseline / devices), at the end / at each worker's peak | ${kib(t.rssBytesPerDevice)} / ${kib(t.peakRssBytesPerDevice)} |`,
  `| worker RSS, all workers, at the end / peaks summed | ${mib(t.workerRssBytes)} / ${t.workerPeakRssBytes === undefined ? "-" : mib(t.workerPeakRssBytes)} |`,
  `| platform RSS, all its processes, at the end / peaks summed | ${mib(report.platform?.rssBytes ?? 0)} / ${report.platform?.peakRssBytes === undefined ? "-" : mib(report.platform.peakRssBytes)} |`,
  `| platform RSS when ready (registries of ${t.devices.toLocaleString("en-US")} devices loaded, no device online) | ${mib(report.platform?.readyRssBytes ?? 0)} |`,
  `| platform memory per device (RSS above ready / devices), at the end / at each process's peak | ${kib(platformBytesPerDevice)} / ${kib(platformPeakBytesPerDevice)} |`,
  `| CPU seconds: workers / platform | ${t.workerCpuSeconds.toFixed(0)} / ${(report.platform?.cpuSeconds ?? 0).toFixed(0)} |`,
  `| seconds their main threads waited for a core (/proc/<pid>/schedstat): workers / platform | ${t.workerCoreWaitSeconds === undefined ? "-" : t.workerCoreWaitSeconds.toFixed(0)} / ${report.platform?.coreWaitSeconds === undefined ? "-" : report.platform.coreWaitSeconds.toFixed(0)} |`,
  `| frames per second (device side, in + out, whole run) | ${t.framesPerSecond.toFixed(0)} |`,
  `| errors by kind | ${
    Object.entries(report.errors)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none"
  } |`,
  "",
  `Round trips in ms (HDR histograms, 3 significant digits). Steady: from ${steadyFrom === undefined ? "-" : `${steadyFrom} s`}${steadyWhy} to the end.`,
  "",
  "| round trip | count | p50 | p90 | p99 | p99.9 | max |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  row("heartbeat, steady", report.steady?.latency.heartbeat),
  row("heartbeat, whole run", report.latency.heartbeat),
  row("login, whole run", report.latency.login),
  row("connect, whole run", report.latency.connect),
  row("state report ack, whole run", report.latency.report),
  row("the farm's own delay, steady (not a round trip)", report.steady?.latency["farm-delay"]),
  row("the farm's own delay, whole run (not a round trip)", report.latency["farm-delay"]),
  row(
    "the farm's timers, how late they fired, steady (not a round trip)",
    report.steady?.latency["timer-late"],
  ),
  row("the farm's timers, how late they fired, whole run (not a round trip)", report.latency["timer-late"]),
  "",
  `The farm's own delay: how late each worker ran a timer due every 10 ms (its waits for a core, its collections, its own bursts), corrected for the samples a stall hid; ${farmShareOfTail(report)?.text ?? "not measured"}; ${farmShareOfTail(report, "login")?.text ?? "logins: not measured"}. The platform's own delay (the same probe in \`hilfarm platform\`, read from its /metrics, whole run): p99 ${report.platform?.ownDelayP99UpToMs === undefined ? "not reported" : `at most ${ms(report.platform.ownDelayP99UpToMs)} ms`}; once steady: p99 ${report.platform?.ownDelaySteadyP99UpToMs === undefined ? "not reported" : `at most ${ms(report.platform.ownDelaySteadyP99UpToMs)} ms`}. The farm's timers: how late each worker's timer wheel fired a heartbeat, a resend or a ramp tick beyond its ${FARM_TICK_MS} ms resolution (its own delay, and a tick's timers taking longer than a tick to fire as they yield to I/O between two): the platform was sent that much later than asked.`,
  "",
  `The aims of issue 19 beside this run (they are set for 100,000 devices ramped at 2,000/s: \`BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm run bench:farm\`):`,
  "",
  "Aim 2's ramp is timed by the workers' own clocks, to the millisecond (report.json's `ramp`): a ramp of exactly 2,000 a second powers the last device on about 50 s after the first, and it is online one login later, so the rate to every device online stays just under 2,000; how long after the last power-on every device was online tells whether the logins kept pace with the ramp.",
  "",
  ...aims,
];
if (perf) {
  const window =
    report.ramp === undefined || allOnlineSeconds === undefined
      ? undefined
      : { from: Date.parse(report.ramp.firstPowerOnAt), seconds: allOnlineSeconds };
  lines.push("");
  if (window === undefined)
    lines.push("By kind of work (BENCH_RAMP_PERF=1): not measured, never every device online at once.");
  else {
    lines.push(
      ...rampKindsSection({
        file: perfData,
        root: fileURLToPath(new URL("..", import.meta.url)),
        nameFrame: bundleFrameNamer(),
        roleOf: (pid) => (roles.get(pid) === "worker" ? "workers" : roles.get(pid)),
        roles: ["platform", "workers"],
        fromMs: window.from,
        toMs: window.from + window.seconds * 1000,
        devices: t.devices,
        other: "the bare floor's: `BENCH_RAMP_PERF=1 npm run bench:bare-ramp`",
      }),
    );
  }
  await rm(perfData, { force: true });
  await removeJitMaps(roles.keys());
}
const section = [
  "Farm density",
  ...(transport === undefined ? [] : [`${transport.toUpperCase()} fleet`]),
  ...(platformProcesses === undefined
    ? []
    : [`${platformProcesses} platform process${platformProcesses === 1 ? "" : "es"}`]),
  ...(workers === undefined ? [] : [`${workers} worker${workers === 1 ? "" : "s"}`]),
  ...(idleWorkers ? ["idle workers"] : []),
  ...(separateCpus ? ["separate CPUs"] : []),
  ...(rampHold === undefined ? [] : [rampHold === "off" ? "ramp never held" : `ramp held at ${rampHold} ms`]),
  ...(workerNiceness === undefined ? [] : [`workers at niceness ${workerNiceness}`]),
].join(", ");
const summaryFile = process.env.BENCH_FARM_SUMMARY;
if (summaryFile === undefined) await writeBenchmarkSection(section, lines);
else {
  const lateFigures = figures(report.latency["timer-late"]);
  const summary = FarmRunSummarySchema.parse({
    endedAt: new Date().toISOString(),
    devices: t.devices,
    ramp,
    onlineAtEnd: t.onlineAtEnd,
    errors: Object.values(report.errors).reduce((a, b) => a + b, 0),
    loginTimeouts,
    onlinePerSecond: onlineFromFirstPowerOn,
    loginP99Ms: report.latency.login.p99,
    inFlightAtMost: waiting,
    longestHoldSeconds: report.ramp?.heldSeconds,
    platformCoreWaitSeconds: report.platform?.coreWaitSeconds,
    workerCoreWaitSeconds: t.workerCoreWaitSeconds,
    timersLate: lateFigures && { p99: lateFigures.p99, p999: lateFigures.p999 },
    steadyHeartbeat: steadyFigures && {
      p50: steadyFigures.p50,
      p99: steadyFigures.p99,
      p999: steadyFigures.p999,
    },
    cpuPerDeviceUs: rampCpu && rampCpu.worker + rampCpu.platform,
    coresBusy: rampCpu?.busy,
  });
  await writeFile(summaryFile, `${JSON.stringify(summary)}\n`);
}
console.info(lines.join("\n"));
