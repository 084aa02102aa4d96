import type { KeypadOutcome, KeypadRefusal } from "../device/model.ts";
import type { Keypad } from "./keypad-schema.ts";

type Entry = Record<string, string>;

const seconds = (text: string | undefined): number | undefined => {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The lock's judgement of a typed code, pure: the password entries of `entries` whose code matches, at `nowS` (Unix
 * seconds), in order: one valid now opens; else the first match says why it did not (frozen, not yet valid,
 * expired); no match is "unknown". A valid-until time is exclusive.
 */
export function enterCode(
  keypad: Keypad,
  entries: readonly Entry[],
  code: string,
  nowS: number,
  wrongBefore: number,
): KeypadOutcome {
  const matches = entries.filter(
    (e) => e[keypad.typeField] === keypad.passwordType && e[keypad.codeField] === code,
  );
  let reason: KeypadRefusal = "unknown";
  for (const entry of matches) {
    const from = seconds(entry[keypad.validFromField]);
    const until = seconds(entry[keypad.validUntilField]);
    const why: KeypadRefusal | undefined =
      entry[keypad.frozenField] === "1"
        ? "frozen"
        : from !== undefined && nowS < from
          ? "not-yet-valid"
          : until !== undefined && nowS >= until
            ? "expired"
            : undefined;
    if (why === undefined)
      return {
        kind: "open",
        keyId: entry[keypad.idField] ?? "",
        hijack: entry[keypad.hijackField] === "1",
        singleUse: entry[keypad.singleUseField] === "1",
      };
    if (reason === "unknown") reason = why;
  }
  const wrong = wrongBefore + 1;
  const alarm = wrong >= keypad.wrongCodeLimit;
  return { kind: "refused", reason, wrongInARow: alarm ? 0 : wrong, alarm };
}
