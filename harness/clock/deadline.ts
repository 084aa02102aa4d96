import type { Clock } from "./clock.ts";

/** `promise`, or `timedOut()` as a rejection once `maxMs` have passed on the clock, whichever comes first. */
export function withDeadline<T>(
  clock: Clock,
  promise: Promise<T>,
  maxMs: number,
  timedOut: () => Error,
  name = "deadline",
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(timedOut()), maxMs, name);
    promise.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
