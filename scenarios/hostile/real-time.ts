import type { Timer } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";

/**
 * The suite's real-time deadlines: socket events, child processes and waits during a flood, never the platform's
 * protocol timing (that goes through the target's clock). One `RealClock` for all of them, so every timer here is
 * named and cancelled like any other.
 */
export const realClock = new RealClock();

export type Wait = <T>(promise: Promise<T>, maxMs: number) => Promise<T>;

/**
 * A wait on real time, whatever the target's clock. During a flood the process hosting an in-process platform is
 * busy with sockets for a while: its virtual clock would move on to the deadline before the platform's answer is
 * read. Nothing here needs the platform's timers, so real time is right on every target.
 */
export const realTime: Wait = (promise, maxMs) => {
  let timer: Timer | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = realClock.setTimeout(
        () => reject(new Error(`nothing within ${maxMs} ms`)),
        maxMs,
        "hostile-real-time",
      );
    }),
  ]).finally(() => timer?.cancel());
};
