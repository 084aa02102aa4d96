import type { LoadReport } from "./load-report.ts";

const shown = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

/** Below this, the farm's delay p99 is a few clock readings of noise, whatever the round trip's. */
const FARM_DELAY_NOTABLE_MS = 5;

/**
 * The farm's own delay (each worker's delay probe, harness/clock/delay-probe.ts) beside a round-trip tail: the
 * heartbeat's p99 (steady, when the run became steady) against the farm's delay p99 over the same window. From half
 * of it on (`farmsTail`, and from 5 ms), much of that tail is the farm's.
 */
export function farmShareOfTail(
  report: Pick<LoadReport, "latency" | "steady">,
): { farmsTail: boolean; text: string } | undefined {
  const latency = report.steady?.latency ?? report.latency;
  const heartbeat = latency.heartbeat;
  const farm = latency["farm-delay"];
  if (heartbeat === undefined || farm === undefined || heartbeat.count === 0 || farm.count === 0)
    return undefined;
  const window = report.steady === undefined ? "" : "steady ";
  const both = `the farm's own delay p99 (${shown(farm.p99)} ms) against the ${window}heartbeat round trip's p99 (${shown(heartbeat.p99)} ms)`;
  if (farm.p99 < FARM_DELAY_NOTABLE_MS)
    return { farmsTail: false, text: `${both}: the farm itself added no more than a few ms` };
  return farm.p99 >= heartbeat.p99 / 2
    ? {
        farmsTail: true,
        text: `${both}: at least half, so much of that tail is the farm's (its processes waited for a core or collected garbage), not the platform's; give the farm more cores or another machine`,
      }
    : { farmsTail: false, text: `${both}: under half, so the farm's own stalls do not explain that tail` };
}
