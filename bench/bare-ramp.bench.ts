/**
 * Aim 2's bare floor at its own scale (issue 19: 2,000 logins a second through a 100,000-device ramp, login p99 under
 * 1 s): the ramp of `BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 npm run bench:farm` done by the bare floor of
 * bench:login instead of hilfarm. bench/frame-cost/bare-login.mjs, written from the spec with node:net, node:dgram
 * and node:crypto only: BENCH_BARE_RAMP_SERVERS server processes (default 2, as bench:farm's
 * `BENCH_FARM_PLATFORM_PROCESSES=2`), and as many client processes as `hilfarm load` starts workers for the same
 * devices and platform processes, each with an even share of the devices (niceness 10, as `hilfarm load` starts its
 * workers), each client's sockets on a source address of its
 * own among 127.0.0.2-127.0.0.9 and its devices logging in to one server. Every client starts its share of the ramp at
 * the same moment, at its share of BENCH_BARE_RAMP_RATE (default 2,000 a second), BENCH_BARE_RAMP_DEVICES devices in
 * all (default 100,000); each device logs in over TCP (1002/1003), connects over UDP (1004/1005) and reports its
 * state and version (2006/2007, 2022/2023), then heartbeats every 30 s.
 * It prints and records, as bench:farm's aim-2 rows do: the ramp's own rate (first power-on to last, by the clients'
 * clocks), the rate to every device online, how long after the last power-on every device was online, the login
 * round trip (1002 sent to 1003 read) p50 / p99 / max, the devices that started over (no 1003 or 2023 within 10 s:
 * the floor's login timeouts), and the CPU of both sides per device brought online, from /proc, with the cores' busy
 * share over the same window.
 *   npm run bench:bare-ramp
 * With BENCH_RAMP_PERF=1 it also records the whole machine with Linux perf over the ramp (frame-cost/ramp-kinds.ts,
 * as bench:farm does with the same setting) and adds the servers' and clients' CPU by kind of work, per device.
 * Loopback only, bounded: at most 200,000 devices, and the ramp's time and two minutes. Writes the `Aim 2's bare
 * floor: the farm's ramp` section of docs/benchmarks.md.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { localWorkersFor } from "../cli/load/worker-count.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { allGone, drain, node, stopped, untilEvent, within } from "./frame-cost/child-processes.ts";
import { perfOrExplain } from "./frame-cost/perf-script.ts";
import { coresBusy, treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import {
  type MachineRecording,
  PERF_NODE_FLAG,
  rampKindsSection,
  rampPerfAsked,
  recordMachine,
  removeJitMaps,
} from "./frame-cost/ramp-kinds.ts";
import { machineDescription } from "./made-by.ts";
import { wholeNumberSetting } from "./settings.ts";

const DEVICES = wholeNumberSetting("BENCH_BARE_RAMP_DEVICES", 100_000, 200_000);
const RATE = wholeNumberSetting("BENCH_BARE_RAMP_RATE", 2000, 20_000);
const SERVERS = wholeNumberSetting("BENCH_BARE_RAMP_SERVERS", 2, 8);
const PERF = rampPerfAsked();
if (PERF) perfOrExplain("bench:bare-ramp with BENCH_RAMP_PERF=1");
const HEARTBEAT_MS = 30_000;
/** The clients start their ramps together this long after the last of them was spawned. */
const START_DELAY_MS = 3000;
const CLIENT_NICENESS = 10;
/** Source addresses of the clients' sockets, as `hilfarm load` spreads its workers' (127.0.0.2-127.0.0.9). */
const sourceAddress = (client: number) => `127.0.0.${2 + (client % 8)}`;

/** Datagrams the kernel dropped for a full receive buffer, the whole machine's (/proc/net/snmp, Udp RcvbufErrors). */
function udpReceiveBufferErrors(): number | undefined {
  try {
    const [names, values] = readFileSync("/proc/net/snmp", "utf8")
      .split("\n")
      .filter((line) => line.startsWith("Udp: "))
      .map((line) => line.split(" "));
    const at = names?.indexOf("RcvbufErrors") ?? -1;
    return at < 0 ? undefined : Number(values?.[at]);
  } catch {
    return undefined;
  }
}

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "bench/frame-cost/bare-login.mjs");

interface ClientRamp {
  firstPowerOnAt: number;
  lastPowerOnAt: number;
  allOnlineAt: number;
  loginMs: number[];
  startedOver: number;
  loginErrors: number;
}

async function stop(processes: ReturnType<typeof node>[]): Promise<void> {
  for (const p of processes) p.child.kill("SIGTERM");
  await Promise.all(processes.map((p) => stopped(p.child)));
  await allGone(processes.map((p) => p.child.pid ?? -1).filter((pid) => pid > 0));
}

/** hilfarm's worker count for these devices and platform processes (6 for 100,000 with two). */
const clientCount = localWorkersFor({ devices: DEVICES, platformProcesses: SERVERS, cores: cpus().length });
const nodeFlags = PERF ? [PERF_NODE_FLAG] : [];
const servers = Array.from({ length: SERVERS }, () => node([...nodeFlags, script, "server"], root));
const clients: ReturnType<typeof node>[] = [];
const perfDir = PERF ? await mkdtemp(join(tmpdir(), "hilfarm-bench-bare-ramp-")) : undefined;
let recording: MachineRecording | undefined;
try {
  const ports = await Promise.all(servers.map((s) => untilEvent(s.lines, "ready")));
  for (const s of servers) drain(s.lines);
  const startAt = Date.now() + START_DELAY_MS + clientCount * 100;
  for (let c = 0, first = 0; c < clientCount; c++) {
    const count = Math.floor((DEVICES * (c + 1)) / clientCount) - first;
    const { loginPort, udpPort } = ports[c % SERVERS] as { loginPort: number; udpPort: number };
    const settings = [loginPort, udpPort, count, HEARTBEAT_MS, (RATE * count) / DEVICES, 0, first];
    const client = node(
      [...nodeFlags, script, "client", ...settings.map(String), sourceAddress(c), String(startAt)],
      root,
    );
    try {
      if (client.child.pid !== undefined) setPriority(client.child.pid, CLIENT_NICENESS);
    } catch (error) {
      console.warn(`bench:bare-ramp: client ${c} keeps its priority (${(error as Error).message})`);
    }
    clients.push(client);
    first += count;
  }
  const pids = [...servers, ...clients].map((p) => p.child.pid).filter((p): p is number => p !== undefined);
  if (perfDir !== undefined) recording = recordMachine(join(perfDir, "ramp.data"));
  while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
  const cpuAtStart = treeCpuByProcess(pids);
  const cpuStartedAt = performance.now();
  const droppedAtStart = udpReceiveBufferErrors();
  const withinMs = (DEVICES / RATE) * 1000 + 120_000;
  const rampOf = (client: ReturnType<typeof node>, c: number) =>
    untilEvent(client.lines, "ramp").catch(() => {
      throw new Error(
        `bench:bare-ramp: client ${c} (source address ${sourceAddress(c)}) ended before all its devices were online: its reason is on stderr above`,
      );
    });
  const ramps = (await within(
    Promise.all(clients.map(rampOf)),
    "bench:bare-ramp: not every device online",
    withinMs,
  )) as unknown as ClientRamp[];
  for (const c of clients) drain(c.lines);
  const cpuAtEnd = treeCpuByProcess(pids);
  await recording?.stop();
  recording = undefined;
  const cpuWindowSeconds = (performance.now() - cpuStartedAt) / 1000;
  const droppedAtEnd = udpReceiveBufferErrors();
  const dropped =
    droppedAtStart === undefined || droppedAtEnd === undefined
      ? "not read (no /proc/net/snmp)"
      : String(droppedAtEnd - droppedAtStart);
  const cpuOf = (group: ReturnType<typeof node>[]) =>
    group.reduce((sum, { child }) => {
      const pid = child.pid ?? -1;
      return sum + (cpuAtEnd.get(pid)?.cpuSeconds ?? 0) - (cpuAtStart.get(pid)?.cpuSeconds ?? 0);
    }, 0);
  const serverCpu = cpuOf(servers);
  const clientCpu = cpuOf(clients);

  const first = Math.min(...ramps.map((r) => r.firstPowerOnAt));
  const rampSeconds = (Math.max(...ramps.map((r) => r.lastPowerOnAt)) - first) / 1000;
  const allOnlineSeconds = (Math.max(...ramps.map((r) => r.allOnlineAt)) - first) / 1000;
  const logins = ramps.flatMap((r) => r.loginMs).sort((a, b) => a - b);
  const quantile = (q: number) => logins[Math.min(logins.length - 1, Math.floor(q * logins.length))] ?? 0;
  const startedOver = ramps.reduce((sum, r) => sum + r.startedOver, 0);
  const loginErrors = ramps.reduce((sum, r) => sum + r.loginErrors, 0);
  const times = (value: number, aim: number) => `${(value / aim).toFixed(2)}x`;
  // The ramp's CPU budget: every core busy, RATE devices a second.
  const budgetUs = (cpus().length * 1e6) / RATE;
  // How busy the cores were with both sides: near 100 % the ramp was bound by them, and the CPU per device is then the
  // cores' time over the rate reached, not a cost of its own (it falls as the rate rises: docs/benchmarks.md).
  const busy = coresBusy(clientCpu + serverCpu, cpuWindowSeconds);
  const command = `${PERF ? "BENCH_RAMP_PERF=1 " : ""}BENCH_BARE_RAMP_DEVICES=${DEVICES} BENCH_BARE_RAMP_RATE=${RATE} BENCH_BARE_RAMP_SERVERS=${SERVERS} npm run bench:bare-ramp`;
  const lines = [
    `Made by \`${command}\` (bench/bare-ramp.bench.ts): the ramp of \`BENCH_FARM_DEVICES=${DEVICES} BENCH_FARM_RAMP=${RATE} npm run bench:farm\` done by the bare`,
    `floor of bench:login (bench/frame-cost/bare-login.mjs: node:net, node:dgram and node:crypto, no hilfarm code, no schema checks, logs,`,
    `metrics or resends) instead of hilfarm: ${SERVERS} server process${SERVERS === 1 ? "" : "es"} and ${clientCount} client processes of ${Math.floor(DEVICES / clientCount).toLocaleString("en-US")}-${Math.ceil(DEVICES / clientCount).toLocaleString("en-US")} devices (niceness ${CLIENT_NICENESS}, each`,
    "on a source address of its own among 127.0.0.2-127.0.0.9), starting their shares of the ramp at the same moment; each device",
    "logs in over TCP (1002/1003), connects over UDP (1004/1005), reports its state and version (2006/2007, 2022/2023), then",
    "heartbeats every 30 s. Times by the clients' clocks; CPU from /proc, from the ramp's start to every device online.",
    "",
    `Machine: ${machineDescription()}.`,
    "",
    "| figure (aim 2) | bare floor | aim | floor / aim |",
    "| --- | ---: | ---: | ---: |",
    `| devices powered on per second, first power-on to last (the ramp itself) | ${(DEVICES / rampSeconds).toFixed(0)} (the last ${rampSeconds.toFixed(2)} s after the first) | ${RATE.toLocaleString("en-US")} | ${times(DEVICES / rampSeconds, RATE)} |`,
    `| devices online per second, first power-on to all online | ${(DEVICES / allOnlineSeconds).toFixed(0)} (all online ${allOnlineSeconds.toFixed(2)} s after the first power-on) | ${RATE.toLocaleString("en-US")} | ${times(DEVICES / allOnlineSeconds, RATE)} |`,
    `| all online after the last power-on | ${Math.max(0, allOnlineSeconds - rampSeconds).toFixed(2)} s | < 1 s | ${times(Math.max(0, allOnlineSeconds - rampSeconds), 1)} |`,
    `| login round trip (1002 sent to 1003 read): p50 / p99 / max | ${quantile(0.5).toFixed(1)} / ${quantile(0.99).toFixed(1)} / ${(logins.at(-1) ?? 0).toFixed(1)} ms | p99 < 1,000 ms | ${times(quantile(0.99), 1000)} |`,
    `| devices that started over (no 1003 or 2023 within 10 s: the floor's login timeouts) | ${startedOver} | 0 | |`,
    `| login connections reset or refused (each device started over at its 10 s deadline) | ${loginErrors} | 0 | |`,
    `| datagrams the kernel dropped for a full receive buffer (Udp RcvbufErrors, the whole machine's) | ${dropped} | 0 | |`,
    `| CPU per device brought online, clients + servers (clients / servers) | ${(((clientCpu + serverCpu) * 1e6) / DEVICES).toFixed(0)} µs (${((clientCpu * 1e6) / DEVICES).toFixed(0)} / ${((serverCpu * 1e6) / DEVICES).toFixed(0)}) | ${budgetUs.toFixed(0)} µs (${RATE.toLocaleString("en-US")} a second on ${cpus().length} cores) | ${times(((clientCpu + serverCpu) * 1e6) / DEVICES, budgetUs)} |`,
    `| the cores' busy share with clients + servers over that window (CPU s / (window s x cores)): at 100 % the cores bound the ramp | ${busy} | | |`,
  ];
  if (perfDir !== undefined) {
    const roles = new Map<number, string>();
    for (const s of servers) if (s.child.pid !== undefined) roles.set(s.child.pid, "servers");
    for (const c of clients) if (c.child.pid !== undefined) roles.set(c.child.pid, "clients");
    lines.push(
      "",
      ...rampKindsSection({
        file: join(perfDir, "ramp.data"),
        root,
        roleOf: (pid) => roles.get(pid),
        roles: ["servers", "clients"],
        fromMs: first,
        toMs: first + allOnlineSeconds * 1000,
        devices: DEVICES,
        other: `hilfarm's: \`BENCH_RAMP_PERF=1 BENCH_FARM_DEVICES=${DEVICES} BENCH_FARM_RAMP=${RATE} BENCH_FARM_PLATFORM_PROCESSES=${SERVERS} npm run bench:farm\``,
      }),
    );
  }
  await writeBenchmarkSection("Aim 2's bare floor: the farm's ramp", lines);
  console.log(lines.join("\n"));
} finally {
  await recording?.stop().catch(() => undefined);
  // The clients first: a client whose server went first reads its connected sockets' port-unreachable errors.
  await stop(clients);
  await stop(servers);
  if (perfDir !== undefined) {
    await rm(perfDir, { recursive: true, force: true });
    await removeJitMaps(
      [...servers, ...clients].flatMap((p) => (p.child.pid === undefined ? [] : [p.child.pid])),
    );
  }
}
