import type { Clock } from "../../harness/clock/clock.ts";

/** Callers waiting for a device's next state report, each with its own deadline on the clock. */
export class StateReportWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly clock: Clock) {}

  wait(deviceId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const set = this.waiting.get(deviceId) ?? new Set<() => void>();
      this.waiting.set(deviceId, set);
      const done = () => {
        timer.cancel();
        set.delete(done);
        if (set.size === 0) this.waiting.delete(deviceId);
        resolve(true);
      };
      const timer = this.clock.setTimeout(
        () => {
          set.delete(done);
          if (set.size === 0) this.waiting.delete(deviceId);
          resolve(false);
        },
        ms,
        "state-report-wait",
      );
      set.add(done);
    });
  }

  reported(deviceId: string): void {
    for (const done of [...(this.waiting.get(deviceId) ?? [])]) done();
  }
}
