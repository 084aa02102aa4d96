import type { Clock, Timer } from "./clock.ts";

/** How often a delay probe asks to run: 100 samples a second. */
export const DELAY_PROBE_PERIOD_MS = 10;

/**
 * A process's own delay: a timer due every `periodMs` on `clock`, and how late each run of it came (`record`,
 * milliseconds). A process that waits for a core, collects garbage or is busy with a burst of work runs this timer
 * late, and a frame that arrived meanwhile waits at least as long. It sees stalls of the event loop only: input
 * queued in a socket's buffer while the loop still turns (a loop that reads a bounded batch per turn) waits longer
 * than the probe shows. Real time only: on a virtual clock nothing is ever late.
 */
export function startDelayProbe(
  clock: Clock,
  record: (lateMs: number, periodMs: number) => void,
  periodMs = DELAY_PROBE_PERIOD_MS,
): Timer {
  let last = clock.now();
  return clock.setInterval(
    () => {
      const now = clock.now();
      record(Math.max(0, now - last - periodMs), periodMs);
      last = now;
    },
    periodMs,
    "delay-probe",
  );
}
