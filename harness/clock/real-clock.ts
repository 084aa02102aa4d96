import type { Clock, Timer } from "./clock.ts";

/** Wall-clock time and Node's timers. Timers are unref'd: an open socket, not a pending timer, keeps a process alive. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number, name = "timeout"): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return { name, cancel: () => clearTimeout(handle) };
  }

  setInterval(callback: () => void, periodMs: number, name = "interval"): Timer {
    const handle = setInterval(callback, Math.max(1, periodMs));
    handle.unref();
    return { name, cancel: () => clearInterval(handle) };
  }
}
