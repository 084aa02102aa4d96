import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type FleetPlan, fleetRegistryJson } from "../../emulators/fleet/fleet-plan.ts";
import { DEFAULT_MAX_PENDING_CONNECTIONS } from "../../emulators/platform/limits.ts";
import { HilfarmError } from "../../harness/errors.ts";

const HILFARM_BIN = fileURLToPath(new URL("../../bin/hilfarm.mjs", import.meta.url));

/**
 * V8 heap settings of the worker processes `hilfarm load` starts: a young generation of 16 MiB per semi-space (V8's
 * default on 64-bit Node 20, written out) and a heap that grows by 30 % after each full collection (V8 picks a
 * factor of up to 4 by its own speed). A worker's devices live as long as the run, while the garbage of their logins
 * outlives two scavenges whenever the ramp keeps the cores busy and so lands in the old generation; with V8's
 * defaults a worker's heap grew to 1.6-1.75 times what a full collection left before it ran one. With the growth
 * held to 30 % and a young generation of 8 MiB, 100,000 devices ramped at 2,000/s peaked at 11.6-12.9 KiB per device
 * in the workers against 17.4-21.8 with V8's defaults (docs/benchmarks.md, "A worker's heap"). Since a worker's
 * devices came to hold about 7 KiB each, the young generation is back at 16 MiB: in 100,000-device ramps the
 * workers' collector took about a fifth less CPU per device brought online, for 0.6-1.1 KiB more per device ("Fewer,
 * larger workers"). A flag given again in `HILFARM_NODE_FLAGS`, which comes after these, wins. The reference
 * platform keeps V8's settings: with the workers' earlier flags its peak fell from 8.1-11.1 to 7.2-7.5 KiB per
 * device, but its CPU per heartbeat round trip rose by about 8 % ("The platform's heap").
 */
export const FARM_WORKER_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=16",
  "--heap-growing-percent=30",
];

/** The Node flags `HILFARM_NODE_FLAGS` adds to every child of a local run, after its own. */
export function extraNodeFlags(): string[] {
  return (process.env.HILFARM_NODE_FLAGS ?? "").split(" ").filter(Boolean);
}

/**
 * Runs `hilfarm <args>` as a child process, its stderr passed through (logs), through `launcher` when given (a command
 * and its arguments that run node as they place it: `taskset -c 1`, `chrt --idle 0`, cli/load/process-placement.ts),
 * with `nodeFlags` before the script. `HILFARM_NODE_FLAGS` adds Node flags to every child after those (`--trace-gc`,
 * heap sizes); `HILFARM_CPU_PROF_DIR`, passed on with the environment, has each child write its CPU profile there
 * (bin/hilfarm.mjs).
 */
export function spawnHilfarm(
  args: string[],
  launcher: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const node = [...nodeFlags, ...extraNodeFlags(), HILFARM_BIN, ...args];
  // taskset and chrt exec node in their own process: the pid, signals and exit code are node's.
  const [command, ...rest] = [...launcher, process.execPath, ...node];
  const child = spawn(command as string, rest, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, HILFARM_EXIT_WITH_PARENT: String(process.pid) },
  });
  return child;
}

/** Children whose output waits for our stderr to drain; one `drain` listener resumes them all. */
const waitingForStderr = new Set<NodeJS.ReadableStream>();

/**
 * What a child prints after its ready line goes to our stderr: a pipe nobody reads would stall the child. Not
 * `pipe()`, which adds listeners to stderr per child (Node warns from the eleventh).
 */
export function passOnLater(child: ChildProcess): void {
  const output = child.stdout;
  output?.on("data", (chunk: Buffer) => {
    if (process.stderr.write(chunk)) return;
    output.pause();
    if (waitingForStderr.size === 0)
      process.stderr.once("drain", () => {
        for (const waiting of waitingForStderr) waiting.resume();
        waitingForStderr.clear();
      });
    waitingForStderr.add(output);
  });
}

/**
 * Resolves with the child's first stdout line that is a JSON object (its ready line); lines before it (Node's own,
 * with `HILFARM_NODE_FLAGS=--trace-gc`) go to our stderr. Rejects when the child exits first.
 */
function firstJsonLine(child: ChildProcess, what: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const onExit = (code: number | null, signal: string | null) =>
      reject(
        new HilfarmError(
          "CHILD_EXITED",
          `${what} exited before it was ready (code ${code}, signal ${signal})`,
        ),
      );
    child.once("exit", onExit);
    const onLine = (line: string) => {
      if (!line.startsWith("{")) {
        process.stderr.write(`${line}\n`);
        return;
      }
      lines.off("line", onLine);
      lines.close();
      child.off("exit", onExit);
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(
          new HilfarmError(
            "CHILD_NOT_READY",
            `${what} printed ${JSON.stringify(line)} instead of its ready line`,
          ),
        );
      }
    };
    lines.on("line", onLine);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface LocalPlatform {
  loginAddress: string;
  apiUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Pending connections (not yet logged in or connected) from one source address that the platforms `hilfarm load`
 * starts accept: as many as in all (the platform's default total). Its default per-address cap (2,048) is against
 * one address flooding the device ports; a local farm's logins all come from one address, and once the platform fell
 * a second behind, that cap refused the farm's own logins (29,157 of 100,000 at 2,000/s), each then backing off 60 s.
 */
export const FARM_PENDING_PER_ADDRESS = DEFAULT_MAX_PENDING_CONNECTIONS;

/** The reference platform as a separate process, provisioned with the fleet's registry, on free loopback ports. */
export async function startLocalPlatform(
  plan: FleetPlan,
  options: {
    heartbeatSeconds: number;
    connectionServers: number;
    extraArgs?: readonly string[];
    launcher?: readonly string[];
  },
): Promise<LocalPlatform> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-load-"));
  const registry = join(dir, "registry.json");
  await writeFile(registry, fleetRegistryJson(plan), { mode: 0o600 });
  const args = [
    "platform",
    "--registry",
    registry,
    "--login-port",
    "0",
    "--tcp-port",
    "0",
    "--udp-port",
    "0",
    "--http-port",
    "0",
    "--no-mqtt",
    "--heartbeat",
    String(options.heartbeatSeconds),
    "--connection-servers",
    String(options.connectionServers),
    "--log-level",
    "warn",
    "--max-pending-per-address",
    String(FARM_PENDING_PER_ADDRESS),
    ...(options.extraArgs ?? []),
  ];
  const child = spawnHilfarm(args, options.launcher);
  const ready = await firstJsonLine(child, "the reference platform").catch(async (error) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  passOnLater(child);
  return {
    loginAddress: String(ready.login),
    apiUrl: String(ready.http),
    pid: child.pid ?? 0,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The reference platform as one process per plan (each provisioned with its plan's devices), started together;
 * each started one's stop joins `cleanups` at once, so a process that fails to start leaves none running.
 */
export async function startLocalPlatforms(
  plans: readonly FleetPlan[],
  optionsOf: (index: number) => Parameters<typeof startLocalPlatform>[1],
  cleanups: Array<() => Promise<void>>,
): Promise<LocalPlatform[]> {
  const results = await Promise.allSettled(
    plans.map(async (plan, index) => {
      const platform = await startLocalPlatform(plan, optionsOf(index));
      cleanups.unshift(() => platform.stop());
      return platform;
    }),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<LocalPlatform>).value);
}

export interface LocalWorkers {
  pids: number[];
  stop(): Promise<void>;
}

/** Sets a worker's niceness; where the system refuses, says so through `warn` and leaves the worker running. */
export function lowerPriority(pid: number, niceness: number, warn: (text: string) => void): void {
  try {
    setPriority(pid, niceness);
  } catch (error) {
    warn(
      `hilfarm: worker ${pid} keeps its priority (--worker-niceness ${niceness}: ${error instanceof Error ? error.message : String(error)}); it competes with a platform on this machine on equal terms\n`,
    );
  }
}

/**
 * `count` workers as child processes of this one, on the given broker, at `niceness` (0-19): above 0, the platform
 * and the coordinator on this machine get the CPU before the workers do, as a platform on its own machine would.
 * Each runs with `FARM_WORKER_NODE_FLAGS`.
 */
export function startLocalWorkers(
  brokerUrl: string,
  count: number,
  capacity: number,
  niceness: number,
  warn: (text: string) => void,
  launcher: readonly string[] = [],
): LocalWorkers {
  const children = Array.from({ length: count }, (_, i) =>
    spawnHilfarm(
      [
        "worker",
        "--broker",
        brokerUrl,
        "--id",
        `local-${i + 1}`,
        "--capacity",
        String(capacity),
        "--log-level",
        "warn",
      ],
      launcher,
      FARM_WORKER_NODE_FLAGS,
    ),
  );
  for (const child of children) {
    passOnLater(child);
    if (niceness > 0 && child.pid !== undefined) lowerPriority(child.pid, niceness, warn);
  }
  return {
    pids: children.map((c) => c.pid ?? 0),
    stop: async () => {
      await Promise.all(children.map(stopChild));
    },
  };
}
