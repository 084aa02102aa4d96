import { showValue, UsageError } from "../../harness/errors.ts";

/**
 * Fault switches of the emulated third-party platform, each reproducing a defect a real third party has been seen
 * to have, so that a smart-home platform (or a conformance suite) can be shown to notice it. All off by default;
 * `setMisbehaviour` changes them while it runs.
 */
export interface ThirdPartyMisbehaviour {
  /**
   * Every C21-C31 answer is held this long (on the clock) before it is written: a peer slower than the caller's
   * timeout. 0: off.
   */
  slowAnswersMs: number;
  /**
   * C21 issues tokens that expire this many ms after issue, whatever lifetime was configured: a peer whose tokens
   * expire early, so the caller meets 1001 and must renew (7.3.2.1, 7.3.2.12). 0: off.
   */
  tokenLifetimeMs: number;
  /**
   * Wrong result codes (7.3.2.12): a token that is missing, unknown or expired is answered 9999 (失败) instead of
   * 1001, and a device the third party does not have (or that is not bound) is answered 0 (成功) instead of 1003,
   * with empty results (`online` 0, `status` [], `devices` [], `deviceType` "unknown"). 1002 stays 1002.
   */
  wrongCodes: boolean;
  /** C12-C18 are not sent at all (logged at debug as dropped): the smart-home platform never hears of changes. */
  dropNotifications: boolean;
}

export const NO_MISBEHAVIOUR: Readonly<ThirdPartyMisbehaviour> = {
  slowAnswersMs: 0,
  tokenLifetimeMs: 0,
  wrongCodes: false,
  dropNotifications: false,
};

export const misbehaviourNames = Object.keys(NO_MISBEHAVIOUR) as Array<keyof ThirdPartyMisbehaviour>;

/** `current` with `change` applied; throws `UsageError` naming the switch and the value when one is invalid. */
export function withMisbehaviour(
  current: ThirdPartyMisbehaviour,
  change: Partial<ThirdPartyMisbehaviour>,
): ThirdPartyMisbehaviour {
  const next = { ...current };
  for (const [name, value] of Object.entries(change)) {
    if (!Object.hasOwn(NO_MISBEHAVIOUR, name))
      throw new UsageError(
        "misbehaviour",
        `misbehaviour: no switch ${showValue(name)} (known: ${misbehaviourNames.join(", ")})`,
      );
    const key = name as keyof ThirdPartyMisbehaviour;
    if (typeof NO_MISBEHAVIOUR[key] === "number") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
        throw new UsageError(key, `${key}: expected milliseconds (an integer >= 0), got ${showValue(value)}`);
    } else if (typeof value !== "boolean")
      throw new UsageError(key, `${key}: expected true or false, got ${showValue(value)}`);
    (next as Record<string, unknown>)[key] = value;
  }
  return next;
}
