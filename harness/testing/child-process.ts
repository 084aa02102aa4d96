import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { repoRoot } from "../repo-root.ts";

export { repoRoot };

export interface RunningProcess {
  child: ChildProcessWithoutNullStreams;
  /** The next stdout line, parsed as JSON. */
  next(): Promise<Record<string, unknown>>;
  /** The next stdout line whose `event` is `name`, skipping others. */
  until(name: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stderr: string[];
}

const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Runs `node <args>` from the repository root, as a separate process that prints JSON lines; `env` adds to this
 * process's environment (secrets go there, not in the arguments).
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env } });
  running.add(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const stderr: string[] = [];
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`node ${args.join(" ")} ended; stderr: ${stderr.join("").slice(-2000)}`);
    return JSON.parse(value);
  };
  const until = async (name: string) => {
    for (;;) {
      const line = await next();
      if (line.event === name) return line;
    }
  };
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, next, until, exited, stderr };
}

/** `hilfarm <args>` as a separate process. */
export const startHilfarm = (args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess =>
  startNode(["bin/hilfarm.mjs", ...args], env);

/** The port options of a reference platform on any free ports. */
export const FREE_PORTS: readonly string[] = [
  "--login-port",
  "0",
  "--tcp-port",
  "0",
  "--udp-port",
  "0",
  "--http-port",
  "0",
];

/** `hilfarm platform --registry <registry>` on free ports without MQTT, as a separate process. */
export const startPlatformProcess = (registry: string, ...args: string[]): RunningProcess =>
  startPlatformProcessWith({}, registry, ...args);

/** The same, with `env` added to the environment (secrets go there, not in the arguments). */
export const startPlatformProcessWith = (
  env: NodeJS.ProcessEnv,
  registry: string,
  ...args: string[]
): RunningProcess =>
  startHilfarm(["platform", "--registry", registry, ...FREE_PORTS, "--no-mqtt", ...args], env);

/** Kills whatever a test left running. */
export function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

export interface FinishedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hilfarm <args>` as a separate process, run to its end with `stdin` as input. */
export function runHilfarm(args: string[], stdin = ""): Promise<FinishedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/hilfarm.mjs", ...args], { cwd: repoRoot });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}
