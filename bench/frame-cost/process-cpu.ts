import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { processStat } from "../../harness/machine/process-stat.ts";

/** CPU time of processes from /proc (Linux): what a benchmark charges to each side of a run. */

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system, in seconds. */
  cpuSeconds: number;
}

function statOf(pid: number): ProcStat | undefined {
  const stat = processStat(pid);
  return stat === undefined ? undefined : { pid, ppid: stat.ppid, cpuSeconds: stat.cpuSeconds };
}

/** CPU seconds used so far by `roots` and every process below them. */
export function treeCpuSeconds(roots: readonly number[]): number {
  return [...treeCpuByProcess(roots).values()].reduce((a, p) => a + p.cpuSeconds, 0);
}

/** Each process of the tree: its role (what follows `hilfarm.mjs` on its command line, else its name) and CPU. */
export function treeCpuByProcess(
  roots: readonly number[],
): Map<number, { role: string; cpuSeconds: number }> {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => statOf(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byPid = new Map(all.map((s) => [s.pid, s]));
  const tree = new Map<number, { role: string; cpuSeconds: number }>();
  const visit = (pid: number) => {
    if (tree.has(pid)) return;
    tree.set(pid, { role: roleOf(pid), cpuSeconds: byPid.get(pid)?.cpuSeconds ?? 0 });
    for (const child of children.get(pid) ?? []) visit(child.pid);
  };
  for (const root of roots) visit(root);
  return tree;
}

/** The `hilfarm.mjs` a process runs (its path as started), or undefined for any other process or one gone. */
export function hilfarmBinOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .find((a) => a.endsWith("hilfarm.mjs"));
  } catch {
    return undefined;
  }
}

function roleOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const at = argv.findIndex((a) => a.endsWith("hilfarm.mjs"));
    if (at >= 0) return argv[at + 1] ?? "hilfarm";
    return argv.find((a) => a.endsWith(".mjs"))?.replace(/.*\//, "") ?? argv[0] ?? String(pid);
  } catch {
    return String(pid);
  }
}

/** CPU seconds between two samples of a process tree (`treeCpuByProcess`), summed by role. */
export function cpuByRole(
  before: Map<number, { role: string; cpuSeconds: number }>,
  after: Map<number, { role: string; cpuSeconds: number }>,
): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const [pid, p] of after)
    roles[p.role] = (roles[p.role] ?? 0) + p.cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0);
  return roles;
}

/**
 * The share of the machine's cores that `cpuSeconds` kept busy over a window of `windowSeconds`, as a percentage
 * ("93 %"): a ramp whose processes keep every core busy is bound by them, and its CPU per device is then their time
 * over the rate reached rather than a cost per device.
 */
export function coresBusy(cpuSeconds: number, windowSeconds: number, cores = cpus().length): string {
  if (!(windowSeconds > 0) || cores < 1) return "not measured (no window)";
  return `${Math.round((100 * cpuSeconds) / (windowSeconds * cores))} %`;
}
