import type { Clock, Timer } from "./clock.ts";

/**
 * Wall-clock time and Node's timers. Timers are unref'd: an open socket, not a pending timer, keeps a process alive.
 * A timeout fires no earlier than `now() + delay`: Node runs its timers on the event loop's monotonic clock in whole
 * milliseconds, and one in five or so fires up to 1 ms before that by the wall clock; the clock waits out the rest.
 */
export class RealClock implements Clock {
  /** `wallClock`: where `now()` reads the time (a test gives one that lags, to see a timer wait out the rest). */
  constructor(private readonly wallClock: () => number = Date.now) {}

  now(): number {
    return this.wallClock();
  }

  setTimeout(callback: () => void, delayMs: number, name = "timeout"): Timer {
    const due = this.wallClock() + Math.max(0, delayMs);
    let cancelled = false;
    const fire = () => {
      if (cancelled) return;
      const left = due - this.wallClock();
      if (left > 0) handle = unrefTimeout(fire, left);
      else callback();
    };
    let handle = unrefTimeout(fire, Math.max(0, delayMs));
    return {
      name,
      cancel: () => {
        cancelled = true;
        clearTimeout(handle);
      },
    };
  }

  setInterval(callback: () => void, periodMs: number, name = "interval"): Timer {
    const handle = setInterval(callback, Math.max(1, periodMs));
    handle.unref();
    return { name, cancel: () => clearInterval(handle) };
  }

  realWork<T>(_name: string, work: Promise<T>): Promise<T> {
    return work;
  }
}

function unrefTimeout(callback: () => void, delayMs: number): NodeJS.Timeout {
  const handle = setTimeout(callback, delayMs);
  handle.unref();
  return handle;
}
