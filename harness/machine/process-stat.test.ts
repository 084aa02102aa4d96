import { getPriority } from "node:os";
import { cpuUsage, memoryUsage, pid, ppid } from "node:process";
import { describe, expect, it } from "vitest";
import { processStat, residentBytes } from "./process-stat.ts";

describe("processStat and residentBytes (/proc)", () => {
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

  it("say nothing of a process that does not exist", () => {
    expect(processStat(2 ** 30)).toBeUndefined();
    expect(residentBytes(2 ** 30)).toBeUndefined();
  });
});
