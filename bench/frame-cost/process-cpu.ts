import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** CPU time of processes from /proc (Linux): what a benchmark charges to each side of a run. */

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system, in seconds. */
  cpuSeconds: number;
}

function statOf(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: the fields after it start past its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, ppid, cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
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
