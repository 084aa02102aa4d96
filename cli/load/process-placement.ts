import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { HilfarmError } from "../../harness/errors.ts";

/**
 * Where `hilfarm load` runs its local processes (Linux, util-linux's `taskset` and `chrt`).
 *
 * `--separate-cpus`: the local reference platform's processes on one half of the CPUs this process may
 * use, the local workers on the other. A platform woken by a worker's frame is often queued on that worker's CPU,
 * where it waits until the worker's burst of sends is over, while the other CPU idles: on machines that tell Linux
 * of no cache their CPUs share (many virtual machines), the scheduler does not look for the idle one.
 * docs/benchmarks.md, "A platform queued behind its worker", has the figures.
 */
export interface CpuSplit {
  platform: readonly number[];
  workers: readonly number[];
}

/** CPU numbers of a Linux CPU list (`0-3,6`), ascending. Throws on anything else. */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.trim().split(",")) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (range === null) throw new RangeError(`not a CPU list: ${JSON.stringify(text)}`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new RangeError(`not a CPU list: ${JSON.stringify(text)}`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The CPUs this process may run on, from `Cpus_allowed_list` in `/proc/self/status` (Linux). */
export function allowedCpus(status: string): number[] {
  const line = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status);
  if (line === null) throw new RangeError("no Cpus_allowed_list line");
  return parseCpuList(line[1] as string);
}

/** The first half of `cpus` (rounded up) for the platform, the rest for the workers. */
export function splitCpus(cpus: readonly number[]): CpuSplit {
  if (cpus.length < 2)
    throw new HilfarmError(
      "SCHEDULING",
      `--separate-cpus needs at least 2 CPUs, and this process may use ${cpus.length} (${cpus.join(",") || "none"})`,
    );
  const half = Math.ceil(cpus.length / 2);
  return { platform: cpus.slice(0, half), workers: cpus.slice(half) };
}

/** `program`'s path on `PATH` (`taskset`, `chrt`), or undefined. */
export function findProgram(program: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** `program` (from util-linux) on PATH, or an error naming the option that needs it and where to get it. */
function utilLinux(program: string, option: string): string {
  const found = findProgram(program);
  if (found === undefined)
    throw new HilfarmError(
      "SCHEDULING",
      `${option} needs ${program} (Debian and Ubuntu: apt-get install util-linux), and none is on PATH`,
    );
  return found;
}

/** Refuses `option` off Linux, naming the system it ran on. */
function requireLinux(option: string): void {
  if (process.platform !== "linux")
    throw new HilfarmError("SCHEDULING", `${option} works on Linux only, not on ${process.platform}`);
}

/**
 * The split of this machine's CPUs and the `taskset` that applies it, or an error that says what is missing:
 * Linux, `taskset` (util-linux) and two CPUs.
 */
export function separateCpus(): CpuSplit & { taskset: string } {
  requireLinux("--separate-cpus");
  const split = splitCpus(allowedCpus(readFileSync("/proc/self/status", "utf8")));
  return { ...split, taskset: utilLinux("taskset", "--separate-cpus") };
}

/** The launcher that runs a command on `cpus` only. */
export function onCpus(taskset: string, cpus: readonly number[]): string[] {
  return [taskset, "-c", cpus.join(",")];
}

/**
 * `hilfarm load --idle-workers`: the launcher that runs a local worker in Linux's idle scheduling class (SCHED_IDLE,
 * through `chrt`). A platform woken on the CPU of an idle-class worker runs at once instead of after the worker's
 * burst; on a machine whose CPUs are all busy, the workers get what is left, and the report's farm delay would show
 * how far behind that left them.
 */
export function idleClass(): string[] {
  requireLinux("--idle-workers");
  return [utilLinux("chrt", "--idle-workers"), "--idle", "0"];
}
