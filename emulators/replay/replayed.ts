import type { Clock } from "../../harness/clock/clock.ts";
import { withDeadline } from "../../harness/clock/deadline.ts";
import { REDACTED } from "../../harness/secrets.ts";

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

/**
 * A recorded body made ready to send again: `time` is now, and fields given in `fill` replace masked values. A masked
 * value anywhere else (a password in a key order, say) cannot be sent: `masked` names it.
 */
export function bodyToSend(
  recorded: Record<string, unknown>,
  now: number,
  fill: Record<string, string | undefined> = {},
): { body: Record<string, unknown>; masked?: string } {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(recorded)) {
    if (key === "time" && typeof value === "number") body[key] = Math.floor(now / 1000);
    else if (value === REDACTED) {
      const filled = fill[key];
      if (filled === undefined) return { body, masked: key };
      body[key] = filled;
    } else {
      const nested = maskedIn(value, key);
      if (nested !== undefined) return { body, masked: nested };
      body[key] = value;
    }
  }
  return { body };
}

/** The dotted path of a masked value inside `value`, if it holds one. */
function maskedIn(value: unknown, path: string): string | undefined {
  if (value === REDACTED) return path;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = maskedIn(child, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
