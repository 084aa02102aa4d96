import type { Clock, Timer } from "../../harness/clock/clock.ts";

/** State reports per device, and callers waiting for the next one, each with its own deadline on the clock. */
export class StateReportWaiters {
  private readonly counts = new Map<string, number>();
  private readonly waiting = new Map<string, Set<(reported: boolean) => void>>();
  private readonly timers = new Set<Timer>();

  constructor(private readonly clock: Clock) {}

  /** How many state reports the device has made: compare before and after a request. */
  count(deviceId: string): number {
    return this.counts.get(deviceId) ?? 0;
  }

  /** Resolves true at the device's next state report, false when `ms` pass first or the platform closes. */
  wait(deviceId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const set = this.waiting.get(deviceId) ?? new Set<(reported: boolean) => void>();
      this.waiting.set(deviceId, set);
      const done = (reported: boolean) => {
        timer.cancel();
        this.timers.delete(timer);
        set.delete(done);
        if (set.size === 0) this.waiting.delete(deviceId);
        resolve(reported);
      };
      const timer = this.clock.setTimeout(() => done(false), ms, "state-report-wait");
      this.timers.add(timer);
      set.add(done);
    });
  }

  reported(deviceId: string): void {
    this.counts.set(deviceId, this.count(deviceId) + 1);
    for (const done of [...(this.waiting.get(deviceId) ?? [])]) done(true);
  }

  /** Ends every wait (false) and its timer. */
  cancelAll(): void {
    for (const set of [...this.waiting.values()]) for (const done of [...set]) done(false);
  }
}
