import { processStat, residentBytes } from "../../harness/machine/process-stat.ts";
import { apiAuthorization } from "./api-auth.ts";
import type { LoadReport } from "./load-report.ts";

type PlatformCounters = NonNullable<LoadReport["platform"]>;

/** Sums the samples of one metric whose labels include every given label. */
export function metricSum(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labelText = match[2] ?? "";
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

/** CPU seconds and RSS of a local process, from /proc (Linux); nothing elsewhere. */
export function processUsage(pid: number): { rssBytes?: number; cpuSeconds?: number } {
  const rssBytes = residentBytes(pid);
  const cpuSeconds = processStat(pid)?.cpuSeconds;
  return {
    ...(rssBytes === undefined ? {} : { rssBytes }),
    ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
  };
}

/** The platform's own counters from its Prometheus `/metrics`, to set beside what the farm measured. */
export async function readPlatformCounters(
  apiUrl: string,
  local?: { pid: number; readyRssBytes?: number },
): Promise<PlatformCounters> {
  const response = await fetch(`${apiUrl}/metrics`, {
    headers: apiAuthorization(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const defined = <T extends Record<string, number | undefined>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !Number.isNaN(v)));
  return defined({
    sessionsOnline: metricSum(text, "hilfarm_platform_online_devices"),
    logins: metricSum(text, "hilfarm_platform_logins_total", { outcome: "ok" }),
    connects: metricSum(text, "hilfarm_platform_connects_total", { outcome: "ok" }),
    heartbeats: metricSum(text, "hilfarm_platform_requests_total", { code: "1000" }),
    framesIn: metricSum(text, "hilfarm_platform_frames_in_total"),
    readyRssBytes: local?.readyRssBytes,
    ...(local === undefined ? {} : processUsage(local.pid)),
  }) as PlatformCounters;
}
