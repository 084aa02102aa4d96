import { type OfflineMemory, verifyLockCode } from "../../harness/protocol/lock-api/offline-code.ts";
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

/** How a code that opened was known: a key of the list, an offline code, a dynamic code (the open event's TYPE). */
export type OpenedBy = "PASSWORD" | "OFFLINE" | "DYNAMIC";

/**
 * A typed code judged by the key list first, then, when the keypad takes them and the lock has its local key, as an
 * offline or dynamic code: its key id is `O` and the offline password's id, or `D` and the dynamic code's 5-minute
 * step. Once and clear codes are single-use. Pure: gives the lock's offline memory after.
 */
export function enterAnyCode(
  keypad: Keypad,
  entries: readonly Entry[],
  code: string,
  nowS: number,
  wrongBefore: number,
  offline: { localKey: string | undefined; memory: OfflineMemory },
): { outcome: KeypadOutcome; by: OpenedBy; memory: OfflineMemory } {
  const outcome = enterCode(keypad, entries, code, nowS, wrongBefore);
  const { localKey, memory } = offline;
  if (
    outcome.kind === "open" ||
    outcome.reason !== "unknown" ||
    !keypad.offlineCodes ||
    localKey === undefined
  )
    return { outcome, by: "PASSWORD", memory };
  const typed = verifyLockCode(localKey, memory, code, nowS);
  const { verdict } = typed;
  if (verdict.kind === "refused") return { outcome, by: "PASSWORD", memory: typed.memory };
  const dynamic = verdict.type === "dynamic";
  return {
    outcome: {
      kind: "open",
      keyId: `${dynamic ? "D" : "O"}${verdict.id}`,
      hijack: false,
      singleUse: verdict.type !== "multiple" && !dynamic,
    },
    by: dynamic ? "DYNAMIC" : "OFFLINE",
    memory: typed.memory,
  };
}
