import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Instructions counted by valgrind: the same work gives the same count within a fraction of a per cent, however fast
 * the host runs it, which CPU seconds on a shared 2-core VM do not (docs/benchmarks.md, "the host in spells").
 * Cachegrind without its cache simulation counts a process's whole life; callgrind can be told by
 * `callgrind_control` to start counting again (`-z`) and to write what it counted since (`-d`): a window.
 */

/**
 * V8 flags every counted process runs with, taking away what varies from run to run of the same work: background
 * threads (compiling, collecting), whose share of the work depends on when the scheduler runs them; the memory
 * reducer's collections, started by the clock; Math.random's seed. With them, two runs of the same `hilfarm load`
 * (50 devices, 20 s) counted within 0.06 % of each other in its platform and 0.02 % in its worker (0.7 % without).
 */
export const REPEATABLE_V8_FLAGS = ["--single-threaded", "--no-memory-reducer", "--random-seed=1"] as const;

/** Valgrind's version line, or undefined when it is not installed. */
export function valgrindVersion(): string | undefined {
  try {
    return execFileSync("valgrind", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The program and arguments that run a command under valgrind's `tool`, counting instructions only, children too but
 * esbuild (a Go program using an instruction valgrind 3.19 cannot run; hilfarm's command line bundles its sources
 * with it once, before any device). Each process writes its count to `dir/<tool>.<pid>` at its end (callgrind also to
 * `dir/callgrind.<pid>.<n>` at its n-th `callgrindControl(pid, "dump")`), valgrind's own messages to
 * `dir/valgrind.<pid>.log`.
 */
export function underValgrind(tool: "cachegrind" | "callgrind", dir: string): string[] {
  return [
    "valgrind",
    `--tool=${tool}`,
    // Cachegrind simulates caches and branches unless told not to; callgrind does neither by default.
    ...(tool === "cachegrind" ? ["--cache-sim=no", "--branch-sim=no"] : []),
    "--trace-children=yes",
    "--trace-children-skip=*esbuild*",
    `--log-file=${join(dir, "valgrind.%p.log")}`,
    `--${tool}-out-file=${join(dir, `${tool}.%p`)}`,
  ];
}

/** Tells a process under callgrind to count from zero again, or to write what it counted since (its next dump file). */
export function callgrindControl(pid: number, command: "zero" | "dump"): void {
  execFileSync("callgrind_control", [command === "zero" ? "-z" : "-d", String(pid)], { stdio: "ignore" });
}

/** The instructions in a process's `n`-th callgrind dump in `dir`. */
export async function dumpedInstructions(dir: string, pid: number, n: number): Promise<number> {
  const file = join(dir, `callgrind.${pid}.${n}`);
  const count = valgrindCount(await readFile(file, "utf8"));
  if (count === undefined) throw new Error(`${file} holds no complete count`);
  return count;
}

/** A process's instructions (`summary:`) from a cachegrind or callgrind file; undefined when it was cut short. */
export function valgrindCount(text: string): number | undefined {
  const summary = /^summary:\s*(\d+)/m.exec(text)?.[1];
  return summary === undefined ? undefined : Number(summary);
}

/** The instructions of every process counted by cachegrind in `dir`. Fails when a process left no complete count. */
export async function cachegrindInstructions(dir: string): Promise<number> {
  const files = (await readdir(dir)).filter((name) => /^cachegrind\.\d+$/.test(name));
  if (files.length === 0) throw new Error(`no cachegrind counts in ${dir}: did valgrind run?`);
  let instructions = 0;
  for (const name of files) {
    const count = valgrindCount(await readFile(join(dir, name), "utf8"));
    if (count === undefined)
      throw new Error(`${join(dir, name)} holds no complete count (its valgrind.<pid>.log says why)`);
    instructions += count;
  }
  return instructions;
}
