/** The unlocking types of the seed, and how the lock and the data-point codes name them. */

/** The seed's unlocking types (seed line 4346). */
export type UnlockType = "fingerprint" | "password" | "card" | "face" | "remoteControl";

/**
 * A key's `KEY_TYPE` on the lock: 1 fingerprint and 2 password are the lock profiles' (2 is what the keypad opens
 * with); 3 card, 4 face and 5 remote control are this project's reading for the other types the seed names.
 */
export const KEY_TYPES: Readonly<Record<string, UnlockType>> = {
  "1": "fingerprint",
  "2": "password",
  "3": "card",
  "4": "face",
  "5": "remoteControl",
};

export const keyTypeOf = (type: UnlockType): string =>
  Object.entries(KEY_TYPES).find(([, t]) => t === type)?.[0] ?? "";

/** The data-point code of a type (`unlock_fingerprint`, ..., a remote control is `unlock_telecontrol_kit`). */
export const dpCodeOf = (type: UnlockType): string =>
  type === "remoteControl" ? "unlock_telecontrol_kit" : `unlock_${type}`;

/** A type as a path names it: `fingerprint` or its data-point code `unlock_fingerprint`. */
export function unlockTypeOf(text: string): UnlockType | undefined {
  return Object.values(KEY_TYPES).find((t) => t === text || dpCodeOf(t) === text);
}
