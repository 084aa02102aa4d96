import { showValue, UsageError } from "../../harness/errors.ts";

/**
 * Fault switches of the push receiver, each a receiver defect a sender must notice (the seed: an answer not in the
 * format marks the receiver abnormal; the issue: an HTTP error or no answer in time does too). Each holds how many
 * more pushes it applies to: 0 off, `Infinity` every push until switched off.
 */
export interface PushMisbehaviour {
  /** HTTP 200 with a body not in the documented format (the text `success`): a receiver that answers its own way. */
  abnormal: number;
  /** HTTP 500: a receiver that fails. */
  fail500: number;
  /** The answer is held this long on the clock: a receiver slower than the sender's timeout. 0: off. */
  slowMs: number;
  /** How many more pushes `slowMs` applies to. */
  slowCount: number;
}

export const NO_PUSH_MISBEHAVIOUR: Readonly<PushMisbehaviour> = {
  abnormal: 0,
  fail500: 0,
  slowMs: 0,
  slowCount: 0,
};

/**
 * A change of the switches: `true` every push, `false` or 0 off, N the next N pushes only. `slowMs` alone slows every
 * push; with `slowCount` the next N.
 */
export interface PushMisbehaviourChange {
  abnormal?: boolean | number;
  fail500?: boolean | number;
  slowMs?: number;
  slowCount?: number;
}

const CHANGE_KEYS = ["abnormal", "fail500", "slowMs", "slowCount"] as const;

function count(name: string, value: unknown): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  if (value === false) return 0;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new UsageError(name, `${name}: expected true, false or a count >= 0, got ${showValue(value)}`);
}

/** `current` with `change` applied; a `UsageError` names the switch and the value when one is invalid. */
export function withPushMisbehaviour(current: PushMisbehaviour, change: unknown): PushMisbehaviour {
  if (typeof change !== "object" || change === null || Array.isArray(change))
    throw new UsageError("misbehaviour", `misbehaviour: expected an object, got ${showValue(change)}`);
  const next = { ...current };
  const given = change as Record<string, unknown>;
  for (const name of Object.keys(given))
    if (!(CHANGE_KEYS as readonly string[]).includes(name))
      throw new UsageError(
        "misbehaviour",
        `misbehaviour: no switch ${showValue(name)} (known: ${CHANGE_KEYS.join(", ")})`,
      );
  if ("abnormal" in given) next.abnormal = count("abnormal", given.abnormal);
  if ("fail500" in given) next.fail500 = count("fail500", given.fail500);
  if ("slowMs" in given) {
    const ms = given.slowMs;
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 0 || ms > 86_400_000)
      throw new UsageError("slowMs", `slowMs: expected milliseconds in 0..86400000, got ${showValue(ms)}`);
    next.slowMs = ms;
    next.slowCount = ms === 0 ? 0 : Number.POSITIVE_INFINITY;
  }
  if ("slowCount" in given) next.slowCount = count("slowCount", given.slowCount);
  return next;
}

/** What the switches do to one push, and the switches after it. */
export interface PushFault {
  /** fail500 wins over abnormal; only the switch that applied is used up. */
  fault: "fail500" | "abnormal" | undefined;
  delayMs: number;
  next: PushMisbehaviour;
}

/** Applies the switches to the next push on the receiver's path. */
export function takePushFault(current: PushMisbehaviour): PushFault {
  const next = { ...current };
  let fault: PushFault["fault"];
  if (next.fail500 > 0) {
    fault = "fail500";
    next.fail500--;
  } else if (next.abnormal > 0) {
    fault = "abnormal";
    next.abnormal--;
  }
  let delayMs = 0;
  if (next.slowMs > 0 && next.slowCount > 0) {
    delayMs = next.slowMs;
    next.slowCount--;
    if (next.slowCount === 0) next.slowMs = 0;
  }
  return { fault, delayMs, next };
}

/** The switches as JSON can show them: `true` for every push, a count, or `false`. */
export function shownMisbehaviour(m: PushMisbehaviour): Record<string, boolean | number> {
  const shown = (n: number) => (n === Number.POSITIVE_INFINITY ? true : n === 0 ? false : n);
  return {
    abnormal: shown(m.abnormal),
    fail500: shown(m.fail500),
    slowMs: m.slowCount === 0 ? 0 : m.slowMs,
    slowCount: shown(m.slowMs === 0 ? 0 : m.slowCount),
  };
}
