import { readFileSync } from "node:fs";
import type { RunningProcess } from "../../../harness/testing/child-process.ts";

/**
 * A hilfarm process under a fuzz (`npm run fuzz`): the tail of its stderr kept, killed if the fuzzer itself exits,
 * and its exit recorded as a crash with that tail.
 */
export interface FuzzedChild {
  /** Its ready line. */
  readonly ready: Record<string, unknown>;
  /** Undefined while it runs; what happened once it is gone (exit code, signal, stderr), or "stopped". */
  crashed(): string | undefined;
  /** Its resident memory in bytes (Linux), while it runs. */
  rssBytes(): number | undefined;
  /** Ends it (SIGTERM) unless it is gone already. */
  stop(): Promise<void>;
}

/** Watches `child` and waits for its ready line; rejects when it ends first. */
export async function watchFuzzedChild(child: RunningProcess): Promise<FuzzedChild> {
  // stderr keeps growing with warnings: keep its tail only.
  child.child.stderr.on("data", () => {
    if (child.stderr.length > 200) child.stderr.splice(0, child.stderr.length - 100);
  });
  // A fuzzer that dies must not leave the process running.
  const killOnExit = () => child.child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let crash: string | undefined;
  void child.exited.then((code) => {
    process.off("exit", killOnExit);
    crash ??= `exited with code ${code} (signal ${child.child.signalCode}); stderr: ${child.stderr.join("").slice(-3000)}`;
  });
  const ready = await child.until("ready");
  const pid = child.child.pid;
  return {
    ready,
    crashed: () => crash,
    rssBytes: () => (pid === undefined || crash !== undefined ? undefined : rssOf(pid)),
    stop: async () => {
      if (crash !== undefined) return;
      crash = "stopped";
      child.child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** VmRSS of a process, from /proc (Linux); undefined elsewhere. */
function rssOf(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    const kb = Number(line?.replace(/\D+/g, ""));
    return Number.isFinite(kb) && kb > 0 ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}
