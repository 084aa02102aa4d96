import type { Clock } from "../../harness/clock/clock.ts";
import { withDeadline } from "../../harness/clock/deadline.ts";

/** Resolves at `at` on the clock (at once when it has passed). */
export function clockReaches(clock: Clock, at: number, name = "replay"): Promise<void> {
  const wait = at - clock.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimeout(resolve, wait, name));
}

/** `promise`, or `undefined` once `ms` pass on the clock. */
export function withinMs<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<T | undefined> {
  const late = new Error("late");
  return withDeadline(clock, promise, ms, () => late, "replay:answer").catch((error: unknown) => {
    if (error === late) return undefined;
    throw error;
  });
}

/** A recorded body made ready to send again: `time` is now, and fields given in `fill` replace masked values. */
export function bodyToSend(
  recorded: Record<string, unknown>,
  now: number,
  fill: Record<string, string | undefined> = {},
): { body: Record<string, unknown>; masked?: string } {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(recorded)) {
    if (key === "time" && typeof value === "number") body[key] = Math.floor(now / 1000);
    else if (value === "[redacted]") {
      const filled = fill[key];
      if (filled === undefined) return { body, masked: key };
      body[key] = filled;
    } else body[key] = value;
  }
  return { body };
}
