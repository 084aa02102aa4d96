import type { Clock, Timer } from "../../harness/clock/clock.ts";
import type { LoadReport } from "./load-report.ts";

/** How often a worker's delay probe asks to run: 100 samples a second. */
export const FARM_DELAY_PERIOD_MS = 10;

/**
 * The farm's own delay: a timer due every `periodMs` on the worker's clock, and how late each run of it came
 * (`record`, milliseconds). A worker that waits for a core, collects garbage or is busy with a burst of its own
 * devices runs this timer late by as much as it answers its devices' frames late; a round-trip percentile close to
 * this one's is the farm's, not the platform's.
 */
export function startFarmDelayProbe(
  clock: Clock,
  record: (lateMs: number, periodMs: number) => void,
  periodMs = FARM_DELAY_PERIOD_MS,
): Timer {
  let last = clock.now();
  return clock.setInterval(
    () => {
      const now = clock.now();
      record(Math.max(0, now - last - periodMs), periodMs);
      last = now;
    },
    periodMs,
    "farm-delay",
  );
}

const shown = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

/** Below this, the farm's delay p99 is a few clock readings of noise, whatever the round trip's. */
export const FARM_DELAY_NOTABLE_MS = 5;

/**
 * The farm's own delay beside a round-trip tail: the heartbeat's p99 (steady, when the run became steady) against
 * the farm's delay p99 over the same window. From half of it on (`farmsTail`, and from 5 ms), much of that tail is
 * the farm's.
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
    : { farmsTail: false, text: `${both}: under half, so that tail is not the farm's` };
}
