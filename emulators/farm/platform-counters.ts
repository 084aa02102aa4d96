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

/** A Prometheus histogram's cumulative counts by bucket bound (`+Inf` as Infinity). */
function bucketCounts(text: string, name: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)_bucket\{[^}]*le="([^"]+)"[^}]*\}\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    counts.set(match[2] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[2]), Number(match[3]));
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

/** CPU seconds and RSS of a local process, from /proc (Linux); nothing elsewhere. */
export function processUsage(pid: number): { rssBytes?: number; cpuSeconds?: number } {
  const rssBytes = residentBytes(pid);
  const cpuSeconds = processStat(pid)?.cpuSeconds;
  return {
    ...(rssBytes === undefined ? {} : { rssBytes }),
    ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
  };
}

/** The platform's `/metrics` as text. */
export async function readPlatformMetrics(apiUrl: string): Promise<string> {
  const response = await fetch(`${apiUrl}/metrics`, {
    headers: apiAuthorization(),
    signal: AbortSignal.timeout(10_000),
  });
  return response.text();
}

/**
 * The platform's own counters from its Prometheus `/metrics`, to set beside what the farm measured; `atSteady`, its
 * metrics read when the run became steady, gives its own delay over the steady window.
 */
export async function readPlatformCounters(
  apiUrl: string,
  local?: { pid: number; readyRssBytes?: number },
  atSteady?: string,
): Promise<PlatformCounters> {
  const text = await readPlatformMetrics(apiUrl);
  const defined = <T extends Record<string, number | undefined>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && Number.isFinite(v)));
  return defined({
    sessionsOnline: metricSum(text, "hilfarm_platform_online_devices"),
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
    ...(local === undefined ? {} : processUsage(local.pid)),
  }) as PlatformCounters;
}
