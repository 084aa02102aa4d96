import type { Clock } from "../clock/clock.ts";
import { type EvidenceRecorder, watchDevice, watchPlatform } from "./recorder.ts";

let current: EvidenceRecorder | undefined;
/** Clocks of the platforms attached lately, newest last: a new recorder measures target time on them too. */
const clocks: Clock[] = [];

/**
 * The recorder of the scenario now running, if something is recording (`hilfarm run`, `hilfarm certify`, the
 * vitest setup). Platforms and devices attached with `recordPlatform`/`recordDevice` feed whichever recorder is
 * current when a frame passes, so a target made once for a whole suite reports into each test's evidence.
 */
export function currentRecorder(): EvidenceRecorder | undefined {
  return current;
}

export function setCurrentRecorder(recorder: EvidenceRecorder | undefined): void {
  current = recorder;
  for (const clock of clocks) recorder?.useClock(clock);
}

export function recordPlatform(platform: Parameters<typeof watchPlatform>[0], clock: Clock): void {
  clocks.push(clock);
  if (clocks.length > 8) clocks.shift();
  current?.useClock(clock);
  watchPlatform(platform, clock, currentRecorder);
}

export function recordDevice(device: Parameters<typeof watchDevice>[0]): void {
  watchDevice(device, currentRecorder);
}
