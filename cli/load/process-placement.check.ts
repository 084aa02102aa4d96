import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LoadReport } from "../../emulators/farm/load-report.ts";
import { killAll, startHilfarm } from "../../harness/testing/child-process.ts";
import { allowedCpus, separateCpus } from "./process-placement.ts";

afterEach(() => killAll());

/** What `read` finds in /proc/<child>/<file> of each process `pid` started, by the hilfarm command it runs. */
async function childrenByCommand<T>(
  pid: number,
  file: string,
  read: (text: string) => T,
): Promise<Map<string, T[]>> {
  const byCommand = new Map<string, T[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, "utf8").catch(() => "");
    if (Number(/^PPid:\s*(\d+)$/m.exec(status)?.[1]) !== pid) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    const at = argv.findIndex((arg) => arg.endsWith("hilfarm.mjs"));
    const command = at >= 0 ? (argv[at + 1] ?? "") : argv.join(" ");
    const text = await readFile(`/proc/${entry}/${file}`, "utf8");
    byCommand.set(command, [...(byCommand.get(command) ?? []), read(text)]);
  }
  return byCommand;
}

/**
 * Until both local workers report to the coordinator: by then taskset and chrt have exec'd node in them, so /proc
 * shows what node runs with, not the launcher on its way to it.
 */
async function workersRunning(load: ReturnType<typeof startHilfarm>): Promise<void> {
  await load.until("load-started");
  for (;;) {
    const progress = await load.until("progress");
    if (progress.liveWorkers === 2) return;
  }
}

/** `hilfarm load` of 100 three-gang switches on two local workers with `option`, once both workers report. */
async function loadWith(option: string, seed: number) {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-placement-"));
  const fleet = join(dir, "fleet.json");
  await writeFile(fleet, JSON.stringify({ seed, devices: [{ profile: "three-gang-switch", count: 100 }] }));
  const reports = join(dir, "reports");
  const argv = ["--fleet", fleet, "--ramp", "100", "--steady", "8", "--heartbeat", "2", "--workers", "2"];
  const load = startHilfarm(["load", ...argv, option, "--report-dir", reports]);
  await workersRunning(load);
  return {
    pid: load.child.pid as number,
    /** The run's report, once it ended as usual: exit 0, every device online, heartbeats answered. */
    finished: async (): Promise<LoadReport> => {
      await load.until("load-finished");
      expect(await load.exited).toBe(0);
      const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as LoadReport;
      expect(report.totals.onlineAtEnd).toBe(100);
      expect(report.latency.heartbeat.count).toBeGreaterThan(0);
      return report;
    },
  };
}

describe("hilfarm load --separate-cpus and --idle-workers", () => {
  it("keeps the reference platform and the workers on their halves of the CPUs, says so in the report, and runs as usual", async () => {
    const run = await loadWith("--separate-cpus", 5);
    const split = separateCpus();
    const children = await childrenByCommand(run.pid, "status", allowedCpus);
    expect(children.get("platform")).toEqual([split.platform]);
    expect(children.get("worker")).toEqual([split.workers, split.workers]);
    const report = await run.finished();
    expect(report.machine.separateCpus).toEqual({ platform: split.platform, workers: split.workers });
  }, 120_000);

  it("--idle-workers: the workers run in the idle scheduling class, the report says so, and the run goes as usual", async () => {
    const run = await loadWith("--idle-workers", 6);
    const policies = await childrenByCommand(run.pid, "sched", (sched) =>
      Number(/^policy\s+:\s+(\d+)$/m.exec(sched)?.[1]),
    );
    // SCHED_IDLE is policy 5; the platform keeps the normal class (0).
    expect(policies.get("worker")).toEqual([5, 5]);
    expect(policies.get("platform")).toEqual([0]);
    const report = await run.finished();
    expect(report.machine.idleWorkers).toBe(true);
  }, 120_000);
});
