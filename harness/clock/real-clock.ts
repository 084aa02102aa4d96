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
    return new RealTimeout(this.wallClock, callback, delayMs, name);
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

/**
 * One timeout: this object and Node's own are all it allocates (no closures), since a platform holds one for every
 * device online.
 */
class RealTimeout implements Timer {
  private readonly due: number;
  private handle: NodeJS.Timeout;
  private cancelled = false;

  constructor(
    private readonly wallClock: () => number,
    private readonly callback: () => void,
    delayMs: number,
    readonly name: string,
  ) {
    this.due = wallClock() + Math.max(0, delayMs);
    this.handle = unrefTimeout(this, Math.max(0, delayMs));
  }

  fire(): void {
    if (this.cancelled) return;
    const left = this.due - this.wallClock();
    if (left > 0) this.handle = unrefTimeout(this, left);
    else this.callback();
  }

  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.handle);
  }
}

function fireRealTimeout(timeout: RealTimeout): void {
  timeout.fire();
}

function unrefTimeout(timeout: RealTimeout, delayMs: number): NodeJS.Timeout {
  const handle = setTimeout(fireRealTimeout, delayMs, timeout);
  handle.unref();
  return handle;
}
