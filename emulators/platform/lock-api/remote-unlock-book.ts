import type { LockKind } from "./temp-passwords.ts";

/**
 * The remote-unlock settings of each lock, pure: which remote unlocking methods it supports (the seed's
 * `remote_unlock_type` values), and the switch of each, set with "Set a switch for a remote unlocking method"
 * (seed line 1949). A switch is off until it is set: a lock opens remotely only once its owner allowed it.
 */

/** seed line 1956: unlocking "without a password" and "with a password". */
export type RemoteUnlockType = "remoteUnlockWithoutPwd" | "remoteUnlockWithPwd";

/**
 * The methods of each lock kind: unlocking with a password is for Zigbee locks only (seed line 2004, "Unlock with a
 * password": "Zigbee lock"); unlocking without one for both (seed line 2459).
 */
export const REMOTE_UNLOCK_METHODS: Readonly<Record<LockKind, readonly RemoteUnlockType[]>> = {
  zigbee: ["remoteUnlockWithPwd", "remoteUnlockWithoutPwd"],
  wifi: ["remoteUnlockWithoutPwd"],
};

/** seed line 2571: why a password-free unlocking was revoked, 1 reject, 2 cancel. */
export type RevokeReason = 1 | 2;

export interface RemoteUnlockMethod {
  remote_unlock_type: RemoteUnlockType;
  open: boolean;
}

export type SwitchAnswer = { ok: true } | { ok: false; reason: "NOT_SUPPORTED"; message: string };

export class RemoteUnlockBook {
  /** deviceId -> the methods switched on. */
  readonly #on = new Map<string, Set<RemoteUnlockType>>();
  /** deviceId -> the last revocation of a password-free unlocking. */
  readonly #revoked = new Map<string, RevokeReason>();

  /** The lock's methods in the order of `REMOTE_UNLOCK_METHODS`, each with its switch. */
  methods(deviceId: string, kind: LockKind): RemoteUnlockMethod[] {
    const on = this.#on.get(deviceId);
    return REMOTE_UNLOCK_METHODS[kind].map((type) => ({
      remote_unlock_type: type,
      open: on?.has(type) ?? false,
    }));
  }

  /** Switches a method the lock supports on or off; a method it does not support is refused. */
  configure(deviceId: string, kind: LockKind, type: RemoteUnlockType, open: boolean): SwitchAnswer {
    if (!REMOTE_UNLOCK_METHODS[kind].includes(type))
      return {
        ok: false,
        reason: "NOT_SUPPORTED",
        message: `remote_unlock_type: a ${kind} lock supports ${REMOTE_UNLOCK_METHODS[kind].join(", ")} (got ${type})`,
      };
    const on = this.#on.get(deviceId) ?? new Set<RemoteUnlockType>();
    if (open) on.add(type);
    else on.delete(type);
    this.#on.set(deviceId, on);
    if (open && type === "remoteUnlockWithoutPwd") this.#revoked.delete(deviceId);
    return { ok: true };
  }

  isOn(deviceId: string, type: RemoteUnlockType): boolean {
    return this.#on.get(deviceId)?.has(type) ?? false;
  }

  /**
   * seed line 2264: the user "determines whether to unlock the door or revoke permissions to unlock without a
   * password": a revocation switches unlocking without a password off until it is set again.
   */
  revoke(deviceId: string, reason: RevokeReason): void {
    this.#on.get(deviceId)?.delete("remoteUnlockWithoutPwd");
    this.#revoked.set(deviceId, reason);
  }

  /** The reason of the last revocation since unlocking without a password was last switched on. */
  revokedBecause(deviceId: string): RevokeReason | undefined {
    return this.#revoked.get(deviceId);
  }
}
