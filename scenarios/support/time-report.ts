import { afterAll } from "vitest";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";

/**
 * Every scenario suite reports the simulated time it covered beside the wall time it took:
 * `timing 5.4.2: 3,610 simulated s in 0.4 wall s`. Call once per suite file; `track` each VirtualClock.
 */
export function reportSimulatedTime(suite: string): { track(clock: VirtualClock): void } {
  const clocks: Array<{ clock: VirtualClock; start: number }> = [];
  const wallStart = performance.now();
  afterAll(() => {
    const simulatedMs = clocks.reduce((sum, { clock, start }) => sum + (clock.now() - start), 0);
    const wallMs = performance.now() - wallStart;
    const line = `${suite}: ${Math.round(simulatedMs / 1000).toLocaleString("en-US")} simulated s in ${(wallMs / 1000).toFixed(1)} wall s`;
    console.log(line);
  });
  return { track: (clock) => clocks.push({ clock, start: clock.now() }) };
}
