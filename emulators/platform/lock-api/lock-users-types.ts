/** The users of a lock and their unlocking methods: the seed's types, and how the lock and data-point codes name them. */

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

export interface DeviceUserFields {
  nickName: string;
  sex: 1 | 2;
  birthday?: number;
  height?: number;
  weight?: number;
  contact?: string;
}

/** A user's validity period (seed line 3100); the daily windows are kept as sent. */
export interface Schedule {
  readonly permanent: boolean;
  /** Unix seconds. */
  readonly effectiveTime?: number;
  readonly expiredTime?: number;
  readonly details: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly operate: "ADD" | "MODIFY";
  /** How the period reached the lock's keys of the user (seed line 3676). */
  delivery: "ONGOING" | "SUCCESS" | "FAILED";
}

export interface LockUser extends Partial<DeviceUserFields> {
  readonly id: string;
  /** The user's number on the lock: the owner is 1. */
  readonly lockUserId: number;
  readonly type: "home" | "device";
  role: "admin" | "normal";
  nickName: string;
  /** Absent: permanent, never changed. */
  schedule?: Schedule;
}

/** The seed's user types (seed line 2966): 50 the home owner, 10 an administrator, 20 a common user. */
export const userTypeOf = (u: LockUser): 50 | 10 | 20 =>
  u.lockUserId === 1 ? 50 : u.role === "admin" ? 10 : 20;

/** A removed user as the absent-users list shows it (seed line 3349). */
export interface AbsentUser {
  readonly user_id: string;
  readonly user_type: 50 | 10 | 20;
  readonly lock_user_id: number;
}

/** One unlocking method: a key of the lock, seen with the cloud's knowledge of it. */
export interface UnlockKey {
  readonly keyId: string;
  /** `unlock_no` / `unlock_sn`: the key's number on the lock. */
  readonly no: number;
  readonly type: UnlockType;
  readonly name: string;
  readonly hijack: boolean;
  readonly userId: string | undefined;
  /** Linked with its user by an allocation (not by enrolling it for them): it can be unbound. */
  readonly allocated: boolean;
  readonly voice: boolean;
  readonly photo: boolean;
}

export type UserAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; reason: "NOT_FOUND" | "INVALID_PARAM" | "NOT_ALLOWED"; field: string; message: string };

export const refuse = (
  reason: "NOT_FOUND" | "INVALID_PARAM" | "NOT_ALLOWED",
  field: string,
  message: string,
) => ({ ok: false, reason, field, message }) as const;
