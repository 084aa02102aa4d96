import {
  coreWaitSeconds,
  peakResidentBytes,
  processStat,
  residentBytes,
} from "../../harness/machine/process-stat.ts";
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

/**
 * A Prometheus histogram's cumulative counts by bucket bound (`+Inf` as Infinity), summed over every series of that
 * name: the expositions of several processes joined give the histogram of them all.
 */
function bucketCounts(text: string, name: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)_bucket\{[^}]*le="([^"]+)"[^}]*\}\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const le = match[2] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[2]);
    counts.set(le, (counts.get(le) ?? 0) + Number(match[3]));
  }
  return counts;
}

/**
 * The upper bound of the bucket that holds the `percentile` of a Prometheus histogram (cumulative `_bucket` samples
 * by `le`), of the samples taken after `since` (an earlier reading of the same metrics) when given; undefined when
 * there is no sample.
 */
export function histogramPercentileBound(
  text: string,
  name: string,
  percentile: number,
  since?: string,
): number | undefined {
  const before = since === undefined ? new Map<number, number>() : bucketCounts(since, name);
  const buckets = [...bucketCounts(text, name)]
    .map(([le, count]) => ({ le, count: count - (before.get(le) ?? 0) }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  return buckets.find((b) => b.count >= (total * percentile) / 100)?.le;
}

interface ProcessUsage {
  rssBytes?: number;
  peakRssBytes?: number;
  cpuSeconds?: number;
  coreWaitSeconds?: number;
}

/** CPU seconds, RSS, peak RSS and its main thread's wait for a core of a local process, from /proc (Linux). */
function processUsage(pid: number): ProcessUsage {
  return {
    rssBytes: residentBytes(pid),
    peakRssBytes: peakResidentBytes(pid),
    cpuSeconds: processStat(pid)?.cpuSeconds,
    coreWaitSeconds: coreWaitSeconds(pid),
  };
}

/**
 * The platform's `/metrics` as text; of a platform in several processes, their expositions joined, which
 * `metricSum` and `histogramPercentileBound` read as one platform's.
 */
export async function readPlatformMetrics(apiUrls: readonly string[]): Promise<string> {
  const texts = await Promise.all(
    apiUrls.map(async (apiUrl) => {
      const response = await fetch(`${apiUrl}/metrics`, {
        headers: apiAuthorization(),
        signal: AbortSignal.timeout(10_000),
      });
      return response.text();
    }),
  );
  return texts.join("\n");
}

/** The same of several local processes together; a figure any of them lacks is left out. */
export function processesUsage(pids: readonly number[]): ProcessUsage {
  const usages = pids.map(processUsage);
  const summed: ProcessUsage = {};
  for (const key of ["rssBytes", "peakRssBytes", "cpuSeconds", "coreWaitSeconds"] as const)
    if (usages.every((u) => u[key] !== undefined))
      summed[key] = usages.reduce((n, u) => n + (u[key] ?? 0), 0);
  return summed;
}

/**
 * The platform's own counters from its Prometheus `/metrics` (every process of it, summed), to set beside what the
 * farm measured; `atSteady`, its metrics read when the run became steady, gives its own delay over the steady
 * window; `atEnd`, its metrics read as the run ended while the fleet was still up, the sessions online then (a TCP
 * fleet's sessions close when the workers stop); `local`, the processes hilfarm started, their RSS and CPU.
 */
export async function readPlatformCounters(
  apiUrls: readonly string[],
  local?: { pids: readonly number[]; readyRssBytes?: number },
  atSteady?: string,
  atEnd?: string,
): Promise<PlatformCounters> {
  const text = await readPlatformMetrics(apiUrls);
  const defined = <T extends Record<string, number | undefined>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && Number.isFinite(v)));
  return defined({
    sessionsOnline: metricSum(atEnd ?? text, "hilfarm_platform_online_devices"),
    logins: metricSum(text, "hilfarm_platform_logins_total", { outcome: "ok" }),
    connects: metricSum(text, "hilfarm_platform_connects_total", { outcome: "ok" }),
    heartbeats: metricSum(text, "hilfarm_platform_requests_total", { code: "1000" }),
    framesIn: metricSum(text, "hilfarm_platform_frames_in_total"),
    ownDelayP99UpToMs: histogramPercentileBound(text, "hilfarm_platform_own_delay_ms", 99),
    ownDelaySteadyP99UpToMs:
      atSteady === undefined
        ? undefined
        : histogramPercentileBound(text, "hilfarm_platform_own_delay_ms", 99, atSteady),
    readyRssBytes: local?.readyRssBytes,
    ...(local === undefined ? {} : processesUsage(local.pids)),
  }) as PlatformCounters;
}
