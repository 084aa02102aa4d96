import type { LoadReport } from "./load-report.ts";

const shown = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);

/** Below this, the farm's delay p99 is a few clock readings of noise, whatever the round trip's. */
const FARM_DELAY_NOTABLE_MS = 5;

/**
 * The farm's own delay (each worker's delay probe, harness/clock/delay-probe.ts) beside a round-trip tail, over the
 * same window. `heartbeat`: the heartbeat's p99, steady when the run became steady. `login`: the login's p99 over the
 * whole run, where the ramp's logins are. From half of it on (`farmsTail`, and from 5 ms), much of that tail is the
 * farm's: its workers saw the answers late, or sent late, because they waited for a core.
 */
export function farmShareOfTail(
  report: Pick<LoadReport, "latency" | "steady">,
  kind: "heartbeat" | "login" = "heartbeat",
): { farmsTail: boolean; text: string } | undefined {
  const latency = kind === "heartbeat" ? (report.steady?.latency ?? report.latency) : report.latency;
  const roundTrip = latency[kind];
  const farm = latency["farm-delay"];
  if (roundTrip === undefined || farm === undefined || roundTrip.count === 0 || farm.count === 0)
    return undefined;
  const window = kind === "login" ? " over the whole run" : "";
  const both = `the farm's own delay p99${window} (${shown(farm.p99)} ms) against the ${kind === "heartbeat" && report.steady !== undefined ? "steady " : ""}${kind} round trip's p99 (${shown(roundTrip.p99)} ms)`;
  if (farm.p99 < FARM_DELAY_NOTABLE_MS)
    return { farmsTail: false, text: `${both}: the farm itself added no more than a few ms` };
  return farm.p99 >= roundTrip.p99 / 2
    ? {
        farmsTail: true,
        text: `${both}: at least half, so much of that tail is the farm's (its processes waited for a core or collected garbage), not the platform's; give the farm more cores or another machine`,
      }
    : { farmsTail: false, text: `${both}: under half, so the farm's own stalls do not explain that tail` };
}
