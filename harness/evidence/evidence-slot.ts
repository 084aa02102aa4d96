import type { Clock } from "../clock/clock.ts";
import {
  type EvidenceRecorder,
  type WatchableDevice,
  type WatchablePlatform,
  watchDevice,
  watchPlatform,
} from "./recorder.ts";

/** Clocks a slot keeps for the next recorder: those of the platforms attached lately, newest last. */
const KEPT_CLOCKS = 8;

/**
 * Where a run's evidence goes: holds the recorder of the scenario now running, if something records. Whoever runs
 * scenarios makes one (`hilfarm certify`, the vitest setup) and passes it to the targets and worlds it starts.
 * Platforms and devices attached with `recordPlatform`/`recordDevice` feed whichever recorder the slot holds when a
 * frame passes, so a target made once for a whole suite reports into each test's evidence.
 */
export class EvidenceSlot {
  private current: EvidenceRecorder | undefined;
  private readonly clocks: Clock[] = [];

  get recorder(): EvidenceRecorder | undefined {
    return this.current;
  }

  /** Frames from now on go to `recorder` (none with `undefined`); it measures target time on the attached clocks. */
  use(recorder: EvidenceRecorder | undefined): void {
    this.current = recorder;
    for (const clock of this.clocks) recorder?.useClock(clock);
  }

  /**
   * Records the platform's frames and sessions (of the devices `only` accepts), its `clock` being the scenario's
   * time. Returns a detach.
   */
  recordPlatform(
    platform: WatchablePlatform,
    clock: Clock,
    only?: (deviceId: string) => boolean,
  ): () => void {
    this.clocks.push(clock);
    if (this.clocks.length > KEPT_CLOCKS) this.clocks.shift();
    this.current?.useClock(clock);
    const unwatch = watchPlatform(platform, clock, () => this.current, only);
    return () => {
      unwatch();
      const at = this.clocks.indexOf(clock);
      if (at >= 0) this.clocks.splice(at, 1);
    };
  }

  /** Records the frames a device sends and receives, as the device saw them. Returns a detach. */
  recordDevice(device: WatchableDevice): () => void {
    return watchDevice(device, () => this.current);
  }
}
