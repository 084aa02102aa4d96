import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readPlatformMetrics } from "../../emulators/farm/platform-counters.ts";
import { FleetFileSchema } from "../../emulators/fleet/fleet-file.ts";
import { planFleet } from "../../emulators/fleet/fleet-plan.ts";
import { shippedProfiles } from "../../emulators/profiles/load.ts";
import { splitAddress } from "../../harness/link/socket-link.ts";
import type { CpuProfile } from "../../harness/machine/cpu-profile.mjs";
import {
  FARM_WORKER_NODE_FLAGS,
  lowerPriority,
  passOnLater,
  spawnHilfarm,
  startLocalPlatform,
  startLocalWorkers,
} from "./local-processes.ts";
import { allowedCpus, idleClass, onCpus, separateCpus } from "./process-placement.ts";

describe("lowerPriority", () => {
  it("lowers a worker's priority, and says so when the system refuses", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const warnings: string[] = [];
    try {
      lowerPriority(child.pid ?? 0, 7, (text) => warnings.push(text));
      expect(getPriority(child.pid)).toBe(7);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
    expect(warnings).toEqual([]);
    lowerPriority(2 ** 30, 10, (text) => warnings.push(text));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^hilfarm: worker 1073741824 keeps its priority \(--worker-niceness 10: .+\)/,
    );
  });
});

/** `count` children that each print `child <i> done` on stdout and exit, and a promise of each one's close. */
function printingChildren(count: number) {
  const children = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, ["-e", `process.stdout.write("child ${i} done\\n")`], {
      stdio: ["ignore", "pipe", "ignore"],
    }),
  );
  const closed = children.map((child) => new Promise((resolve) => child.once("close", resolve)));
  return { children, closed };
}

describe("passOnLater", () => {
  it("passes on what twelve children print, without adding a listener per child to stderr", async () => {
    const kinds = ["close", "finish", "error", "unpipe"] as const;
    const before = kinds.map((kind) => process.stderr.listenerCount(kind));
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { children, closed } = printingChildren(12);
      for (const child of children) passOnLater(child);
      expect(kinds.map((kind) => process.stderr.listenerCount(kind))).toEqual(before);
      await Promise.all(closed);
    } finally {
      write.mockRestore();
    }
    expect(written.join("").split("\n").filter(Boolean).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `child ${i} done`).sort(),
    );
  });

  it("pauses children while stderr is full and resumes them all on its one drain listener", async () => {
    const drainsBefore = process.stderr.listenerCount("drain");
    const written: string[] = [];
    let full = true;
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return !full;
    });
    try {
      const { children, closed } = printingChildren(3);
      for (const child of children) passOnLater(child);
      await vi.waitUntil(() => children.every((child) => child.stdout?.isPaused() === true), {
        timeout: 10_000,
      });
      expect(process.stderr.listenerCount("drain")).toBe(drainsBefore + 1);
      full = false;
      process.stderr.emit("drain");
      expect(children.map((child) => child.stdout?.isPaused())).toEqual([false, false, false]);
      expect(process.stderr.listenerCount("drain")).toBe(drainsBefore);
      await Promise.all(closed);
    } finally {
      write.mockRestore();
    }
    expect(written.join("").split("\n").filter(Boolean).sort()).toEqual([
      "child 0 done",
      "child 1 done",
      "child 2 done",
    ]);
  });
});

describe("spawnHilfarm with HILFARM_CPU_PROF_DIR", () => {
  it("has each child write its profile, named by command and pid, with hilfarm's frames named by their .ts sources", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-profiles-"));
    const saved = process.env.HILFARM_CPU_PROF_DIR;
    process.env.HILFARM_CPU_PROF_DIR = dir;
    try {
      const child = spawnHilfarm(["frame", "--help"]);
      child.stdout?.resume();
      expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(0);
      const names = readdirSync(dir);
      expect(names).toEqual([
        expect.stringMatching(new RegExp(`^hilfarm-frame\\.\\d{8}\\.\\d{6}\\.${child.pid}\\.cpuprofile$`)),
      ]);
      const profile = JSON.parse(readFileSync(join(dir, names[0] as string), "utf8")) as CpuProfile;
      const frames = profile.nodes.map((n) => n.callFrame);
      expect(frames.some((f) => f.url.endsWith("/cli/main.ts") && f.functionName === "main")).toBe(true);
      // Only the chunks' own top levels stay the bundle's.
      const inBundle = frames.filter((f) => f.url.includes("/hilfarm-bundle/"));
      expect(inBundle.every((f) => f.lineNumber === 0 && f.columnNumber === 0 && f.functionName === "")).toBe(
        true,
      );
    } finally {
      if (saved === undefined) delete process.env.HILFARM_CPU_PROF_DIR;
      else process.env.HILFARM_CPU_PROF_DIR = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("startLocalWorkers", () => {
  /** The node flags a process was started with: its command line up to the script. */
  async function nodeFlagsOf(pid: number): Promise<string[]> {
    const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    return argv.slice(
      1,
      argv.findIndex((arg) => arg.endsWith("/bin/hilfarm.mjs")),
    );
  }

  it("starts each worker with the farm's heap settings, and HILFARM_NODE_FLAGS after them so that they win", async () => {
    expect(FARM_WORKER_NODE_FLAGS).toEqual(["--max-semi-space-size=16", "--heap-growing-percent=30"]);
    const saved = process.env.HILFARM_NODE_FLAGS;
    process.env.HILFARM_NODE_FLAGS = "--max-semi-space-size=4 --trace-gc";
    // No broker listens on port 1: the workers are read as they start, then stopped.
    const workers = startLocalWorkers("mqtt://127.0.0.1:1", 2, 10, 0, () => undefined);
    try {
      expect(workers.pids).toHaveLength(2);
      for (const pid of workers.pids)
        expect(await nodeFlagsOf(pid)).toEqual([
          "--max-semi-space-size=16",
          "--heap-growing-percent=30",
          "--max-semi-space-size=4",
          "--trace-gc",
        ]);
    } finally {
      if (saved === undefined) delete process.env.HILFARM_NODE_FLAGS;
      else process.env.HILFARM_NODE_FLAGS = saved;
      await workers.stop();
    }
  });

  it("leaves the platform's heap to V8's defaults", async () => {
    const plan = planFleet(
      { ...FleetFileSchema.parse({ devices: [{ profile: "three-gang-switch", count: 1 }] }), baseDir: "." },
      await shippedProfiles(),
    );
    const platform = await startLocalPlatform(plan, { heartbeatSeconds: 30, connectionServers: 1 });
    try {
      expect(await nodeFlagsOf(platform.pid)).toEqual(
        (process.env.HILFARM_NODE_FLAGS ?? "").split(" ").filter(Boolean),
      );
    } finally {
      await platform.stop();
    }
  });
});

describe("startLocalPlatform", () => {
  it("takes as many pending connections from one address as in all: a local farm's logins share 127.0.0.1", async () => {
    const plan = planFleet(
      { ...FleetFileSchema.parse({ devices: [{ profile: "three-gang-switch", count: 2 }] }), baseDir: "." },
      await shippedProfiles(),
    );
    const platform = await startLocalPlatform(plan, { heartbeatSeconds: 30, connectionServers: 1 });
    const sockets: Socket[] = [];
    try {
      const { host, port } = splitAddress(platform.loginAddress);
      // Past the platform's default per-address cap (2,048): none of these log in, all stay pending.
      const count = 2100;
      await Promise.all(
        Array.from(
          { length: count },
          () =>
            new Promise<void>((resolve, reject) => {
              const socket = connect({ host, port }, () => resolve());
              socket.once("error", reject);
              sockets.push(socket);
            }),
        ),
      );
      const gauge = /^hilfarm_platform_connections_open\{state="pending"\} (\d+)$/m;
      let metrics = "";
      for (const until = Date.now() + 20_000; Date.now() < until; ) {
        metrics = await readPlatformMetrics([platform.apiUrl]);
        if (Number(gauge.exec(metrics)?.[1]) === count) break;
      }
      expect(Number(gauge.exec(metrics)?.[1])).toBe(count);
      expect(metrics).not.toMatch(/connections_refused_total\{reason="pending_per_address"\} [1-9]/);
      expect(sockets.every((socket) => !socket.destroyed)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await platform.stop();
    }
  });

  it("runs through its launcher: on the CPUs it is placed on (--separate-cpus), in the idle class, and answers", async () => {
    const plan = planFleet(
      { ...FleetFileSchema.parse({ devices: [{ profile: "three-gang-switch", count: 1 }] }), baseDir: "." },
      await shippedProfiles(),
    );
    const { taskset, workers } = separateCpus();
    const platform = await startLocalPlatform(plan, {
      heartbeatSeconds: 30,
      connectionServers: 1,
      launcher: [...onCpus(taskset, workers), ...idleClass()],
    });
    try {
      // The pid is node's own: taskset and chrt have exec'd it, so the platform's status is read, not theirs.
      const status = await readFile(`/proc/${platform.pid}/status`, "utf8");
      expect(status).toMatch(/^Name:\s+node$/m);
      expect(allowedCpus(status)).toEqual(workers);
      // SCHED_IDLE is policy 5.
      expect(await readFile(`/proc/${platform.pid}/sched`, "utf8")).toMatch(/^policy\s+:\s+5$/m);
      expect(await readPlatformMetrics([platform.apiUrl])).toMatch(/hilfarm_platform_connections_open/);
    } finally {
      await platform.stop();
    }
  });
});
