import { readFileSync } from "node:fs";
import { USER_HZ } from "./process-stat.ts";

/**
 * CPU time the hypervisor took from this machine (the `steal` column of /proc/stat, all cores): on a shared virtual
 * machine it stalls every process at random, and a load test's latency percentiles include those stalls. Linux only;
 * elsewhere nothing is known.
 */

/** Seconds of CPU stolen since boot, summed over the cores; undefined where /proc/stat cannot tell. */
export function stolenCpuSeconds(
  stat: () => string = () => readFileSync("/proc/stat", "utf8"),
): number | undefined {
  try {
    const fields = stat().split("\n", 1)[0]?.trim().split(/\s+/) ?? [];
    if (fields[0] !== "cpu" || fields.length < 9) return undefined;
    const ticks = Number(fields[8]);
    return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/** The share of the machine's CPU (all cores) stolen between two readings `seconds` apart, in percent. */
export function stolenPercent(
  before: number | undefined,
  after: number | undefined,
  seconds: number,
  cores: number,
): number | undefined {
  if (before === undefined || after === undefined || !(seconds > 0) || !(cores > 0)) return undefined;
  return Math.max(0, ((after - before) / (seconds * cores)) * 100);
}
