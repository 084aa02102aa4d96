import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { type PerfSample, samplesOfRecording } from "./perf-script.ts";
import { tallyWorkKinds, WORK_KINDS, type WorkKind } from "./work-kinds.ts";

/**
 * A ramp's CPU by kind of work, every process of the machine at once: `perf record -a -g` over the run, its samples
 * taken between the first power-on and every device online, each charged to the role of its process (the platform,
 * the workers; a bare floor's servers and clients) and counted by kind (work-kinds.ts). bench:farm and
 * bench:bare-ramp use it with BENCH_RAMP_PERF=1, so that hilfarm's ramp and the floor's are read the same way.
 */

/** Samples a second on each CPU: enough for a minute's ramp, little enough to leave the ramp as it is. */
export const RAMP_PERF_FREQUENCY = 99;

/** The Node flag that names JIT-compiled JavaScript in perf's stacks (a map file per process in /tmp). */
export const PERF_NODE_FLAG = "--perf-basic-prof-only-functions";

/** Whether BENCH_RAMP_PERF asks for the recording; any value but `1` (or unset) is refused by name. */
export function rampPerfAsked(): boolean {
  const value = process.env.BENCH_RAMP_PERF;
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  throw new Error(
    `BENCH_RAMP_PERF must be 1 (record the ramp with perf) or unset, got ${JSON.stringify(value)}`,
  );
}

export interface MachineRecording {
  /** Ends the recording; resolves once perf has written its file. */
  stop(): Promise<void>;
}

/** `perf record -a -g` of every CPU into `file`, timed by CLOCK_MONOTONIC (the clock `process.hrtime` reads). */
export function recordMachine(file: string): MachineRecording {
  const perf: ChildProcess = spawn(
    "perf",
    ["record", "-a", "-g", "-k", "CLOCK_MONOTONIC", "-F", String(RAMP_PERF_FREQUENCY), "-o", file],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  perf.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve, reject) => {
    perf.on("error", reject);
    perf.on("exit", (code) =>
      code === 0 || code === null
        ? resolve()
        : reject(new Error(`perf record -a exited ${code}: ${stderr.trim().split("\n").at(-1)}`)),
    );
  });
  return {
    stop: () => {
      perf.kill("SIGINT");
      return exited;
    },
  };
}

/** A moment given by the wall clock (`Date.now()`'s milliseconds) on CLOCK_MONOTONIC, in seconds, as perf times it. */
export function monotonicSecondsOf(wallMs: number): number {
  return wallMs / 1000 + (Number(process.hrtime.bigint()) / 1e9 - Date.now() / 1000);
}

/** A sample of `perf script -F pid,time,...`: its process and when it was taken (seconds), from its header. */
export function processAndTime(sample: PerfSample): { pid: number; seconds: number } | undefined {
  const match = /^(\d+)\s+(\d+\.\d+):?$/.exec(sample.header ?? "");
  if (match === null) return undefined;
  return { pid: Number(match[1]), seconds: Number(match[2]) };
}

/** The samples of a recording, each with its process and time, JIT-compiled frames named by the processes' maps. */
export function machineSamples(
  file: string,
  root: string,
  nameFrame?: (symbol: string) => string,
): PerfSample[] {
  return samplesOfRecording(file, "pid,time", root, nameFrame);
}

/** Each role's samples between `from` and `to` (monotonic seconds) by kind of work; samples of no role are left out. */
export function kindsByRole(
  samples: readonly PerfSample[],
  roleOf: (pid: number) => string | undefined,
  from: number,
  to: number,
): Map<string, Map<WorkKind, number>> {
  const byRole = new Map<string, PerfSample[]>();
  for (const sample of samples) {
    const at = processAndTime(sample);
    if (at === undefined || at.seconds < from || at.seconds > to) continue;
    const role = roleOf(at.pid);
    if (role === undefined) continue;
    const list = byRole.get(role);
    if (list === undefined) byRole.set(role, [sample]);
    else list.push(sample);
  }
  return new Map([...byRole].map(([role, list]) => [role, tallyWorkKinds(list)]));
}

/**
 * The table: a row per kind of work, a column per role (in `roles`' order), in CPU µs per device brought online (one
 * sample per 1/RAMP_PERF_FREQUENCY s of CPU), and the roles' sum.
 */
export function rampKindsTable(
  byRole: Map<string, Map<WorkKind, number>>,
  roles: readonly string[],
  devices: number,
): string[] {
  const us = (count: number) =>
    Math.round((count * 1e6) / RAMP_PERF_FREQUENCY / devices).toLocaleString("en-US");
  const countOf = (role: string, kind: WorkKind) => byRole.get(role)?.get(kind) ?? 0;
  const row = (name: string, pick: (role: string) => number) => {
    const cells = roles.map(pick);
    return `| ${name} | ${cells.map(us).join(" | ")} | ${us(cells.reduce((a, b) => a + b, 0))} |`;
  };
  const all = (role: string) => WORK_KINDS.reduce((sum, kind) => sum + countOf(role, kind), 0);
  return [
    `| kind of work | ${roles.join(" | ")} | all |`,
    `| --- | ${roles.map(() => "---:").join(" | ")} | ---: |`,
    ...WORK_KINDS.map((kind) => row(kind, (role) => countOf(role, kind))),
    row("**all**", all),
  ];
}

/**
 * What a ramp's bench adds with BENCH_RAMP_PERF=1: the recording's samples from the first power-on to every device
 * online (`fromMs` and `toMs` by the wall clock), by role (`roles`, in their order) and kind, in CPU µs per device;
 * `other` names the other side's command.
 */
export function rampKindsSection(options: {
  file: string;
  root: string;
  nameFrame?: (symbol: string) => string;
  roleOf: (pid: number) => string | undefined;
  roles: readonly string[];
  fromMs: number;
  toMs: number;
  devices: number;
  other: string;
}): string[] {
  const byRole = kindsByRole(
    machineSamples(options.file, options.root, options.nameFrame),
    options.roleOf,
    monotonicSecondsOf(options.fromMs),
    monotonicSecondsOf(options.toMs),
  );
  return [
    `By kind of work over the same window, first power-on to all online (BENCH_RAMP_PERF=1: \`perf record -a -g -F ${RAMP_PERF_FREQUENCY}\` of the`,
    `whole machine, the processes started with ${PERF_NODE_FLAG}; each sample charged to its process and counted by`,
    `kind as bench/frame-cost/work-kinds.ts says), in CPU µs per device brought online; ${options.other}.`,
    "",
    ...rampKindsTable(byRole, options.roles, options.devices),
  ];
}

/** Removes the JIT symbol maps the recorded processes wrote (`/tmp/perf-<pid>.map`). */
export async function removeJitMaps(pids: Iterable<number>): Promise<void> {
  await Promise.all([...pids].map((pid) => rm(`/tmp/perf-${pid}.map`, { force: true })));
}
