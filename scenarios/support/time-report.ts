import { afterAll } from "vitest";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";

/**
 * Every scenario suite reports the simulated time it covered beside the wall time it took, and beside the wall time
 * its clocks spent running (the rest went to starting platforms and devices, logins before the first advance, and
 * the first test's JIT warm-up):
 * `timing 5.4.2 login, connect, heartbeat: 2,295 simulated s in 0.22 wall s (10,525x real time); the clock ran at
 * 16,973x (0.14 s)`.
 * Call once per suite file; `track` each VirtualClock.
 */
export function reportSimulatedTime(suite: string): { track(clock: VirtualClock): void } {
  const clocks: Array<{ clock: VirtualClock; start: number; running: number }> = [];
  const wallStart = performance.now();
  afterAll(() => {
    const wallMs = performance.now() - wallStart;
    console.log(simulatedTimeLine(suite, clocks, wallMs));
  });
  return { track: (clock) => clocks.push({ clock, start: clock.now(), running: clock.runningWallMs() }) };
}

function simulatedTimeLine(
  suite: string,
  clocks: ReadonlyArray<{ clock: VirtualClock; start: number; running: number }>,
  wallMs: number,
): string {
  const simulatedMs = clocks.reduce((sum, { clock, start }) => sum + (clock.now() - start), 0);
  const runningMs = clocks.reduce((sum, { clock, running }) => sum + (clock.runningWallMs() - running), 0);
  const ratio = (wall: number) =>
    `${Math.round(simulatedMs / Math.max(wall, 0.001)).toLocaleString("en-US")}x`;
  return (
    `${suite}: ${Math.round(simulatedMs / 1000).toLocaleString("en-US")} simulated s in ${(wallMs / 1000).toFixed(2)} wall s ` +
    `(${ratio(wallMs)} real time); the clock ran at ${ratio(runningMs)} (${(runningMs / 1000).toFixed(2)} s)`
  );
}
