/**
 * Every timeout, interval and timestamp in hilfarm goes through a `Clock`, so that the same protocol code runs
 * on real time (labs, load tests) and on a `VirtualClock` (100 simulated seconds in milliseconds).
 */
export interface Timer {
  /** What the timer is for (`heartbeat`, `resend:2005`): shown by `VirtualClock.pending()` and counted by name. */
  readonly name: string;
  /** Idempotent: cancelling a fired or cancelled timer does nothing. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `callback` once, never before `now()` reads the time it was armed plus `delayMs`: protocol code reads the
   * clock when a deadline's timer fires (5.2's resends) and must find the deadline reached.
   */
  setTimeout(callback: () => void, delayMs: number, name?: string): Timer;
  setInterval(callback: () => void, periodMs: number, name?: string): Timer;
  /**
   * Work that runs in real time outside hilfarm's own sockets (a firmware download over HTTP) and takes no simulated
   * time: a virtual clock fires no timer while it is pending, so the simulated instant it ends at is the same on every
   * run; a real clock returns it as it is. `name` says what it is in the clock's error when it does not end.
   */
  realWork<T>(name: string, work: Promise<T>): Promise<T>;
}

/** The spec's `time` fields: a Linux timestamp in whole seconds (5.4.2.1). */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
