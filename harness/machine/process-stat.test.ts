import { spawn } from "node:child_process";
import { getPriority } from "node:os";
import { cpuUsage, memoryUsage, pid, ppid } from "node:process";
import { describe, expect, it } from "vitest";
import {
  coreWaitSeconds,
  parseCoreWait,
  peakResidentBytes,
  processStat,
  residentBytes,
} from "./process-stat.ts";

describe("processStat, residentBytes and peakResidentBytes (/proc)", () => {
  it("read this process as Node itself sees it", () => {
    const stat = processStat(pid);
    expect(stat?.ppid).toBe(ppid);
    expect(stat?.nice).toBe(getPriority());
    const used = cpuUsage();
    // /proc counts in 10 ms ticks.
    expect(stat?.cpuSeconds).toBeGreaterThan(0);
    expect(Math.abs((stat?.cpuSeconds ?? 0) - (used.user + used.system) / 1e6)).toBeLessThan(0.5);
    const rss = residentBytes(pid) ?? 0;
    expect(rss / memoryUsage.rss()).toBeGreaterThan(0.5);
    expect(rss / memoryUsage.rss()).toBeLessThan(2);
  });

  it("keep the most resident memory a process held after it gave it back", async () => {
    // A child that holds 128 MiB, gives it back, and waits.
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "-e",
        'let b = Buffer.alloc(128 * 2 ** 20, 1); b = undefined; gc(); console.log("ready"); setInterval(() => {}, 1000);',
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise((resolve) => child.stdout.once("data", resolve));
      const rss = residentBytes(child.pid ?? 0) ?? 0;
      const peak = peakResidentBytes(child.pid ?? 0) ?? 0;
      expect(rss).toBeGreaterThan(0);
      expect(peak - rss).toBeGreaterThan(100 * 2 ** 20);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
  });

  it("read how long a main thread waited for a core, the second field of its schedstat line", () => {
    // ns on a core, ns waiting for one, timeslices.
    expect(parseCoreWait("6153258193 2408337102 81735\n")).toBe(2.408337102);
    expect(parseCoreWait("6153258193")).toBeUndefined();
    expect(parseCoreWait("")).toBeUndefined();
    expect(parseCoreWait("6153258193 -5 81735")).toBeUndefined();
    const self = coreWaitSeconds("self") ?? Number.NaN;
    const byPid = coreWaitSeconds(pid) ?? Number.NaN;
    expect(self).toBeGreaterThanOrEqual(0);
    // Read one after the other: the second reading is no less than the first.
    expect(byPid).toBeGreaterThanOrEqual(self);
  });

  it("say nothing of a process that does not exist", () => {
    expect(coreWaitSeconds(2 ** 30)).toBeUndefined();
    expect(processStat(2 ** 30)).toBeUndefined();
    expect(residentBytes(2 ** 30)).toBeUndefined();
    expect(peakResidentBytes(2 ** 30)).toBeUndefined();
  });
});
