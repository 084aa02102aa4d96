import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * A node process of a benchmark, its stdout read line by line (stderr passed through). With `runUnder` (a program and
 * its arguments, such as valgrind's), node runs under that program.
 */
export function node(
  args: string[],
  cwd: string,
  runUnder: readonly string[] = [],
): { child: ChildProcess; lines: AsyncIterator<string> } {
  const [program = process.execPath, ...before] = runUnder;
  const argv = runUnder.length === 0 ? args : [...before, process.execPath, ...args];
  const child = spawn(program, argv, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  if (child.stdout === null) throw new Error("no stdout");
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

/** The first JSON line whose `event` is `event` (and that `matches`, when given); the lines before it are skipped. */
export async function untilEvent(
  lines: AsyncIterator<string>,
  event: string,
  matches: (line: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the process ended before its ${event} line`);
    try {
      const parsed = JSON.parse(value) as Record<string, unknown>;
      if (parsed.event === event && matches(parsed)) return parsed;
    } catch {
      // not a JSON line
    }
  }
}

/** Reads the rest of the lines so that the process never blocks on a full pipe. */
export function drain(lines: AsyncIterator<string>): void {
  void (async () => {
    while (!(await lines.next()).done);
  })();
}

export const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure "<what> within <ms / 1000> s" once `ms` have passed without it settling. */
export async function within<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (at most 30 s) until none of `pids` is alive. */
export async function allGone(pids: readonly number[]): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 300 && pids.some(alive); i++) await wait(100);
}
