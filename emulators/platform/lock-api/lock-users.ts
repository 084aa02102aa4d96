/**
 * The users of each lock as the cloud keeps them, and which of the lock's keys belongs to whom. Pure: the keys
 * themselves are the lock's (its KEY_LIST, passed in as it last reported it); the book holds the users, the link of
 * a key to a user, the special attributes of a key, and the enrollments under way.
 */
import type { KeyEntry } from "./lock-of.ts";
import { KEY_TYPES, type UnlockType } from "./lock-users-types.ts";

export interface DeviceUserFields {
  nickName: string;
  sex: 1 | 2;
  birthday?: number;
  height?: number;
  weight?: number;
  contact?: string;
}

export interface LockUser extends Partial<DeviceUserFields> {
  readonly id: string;
  /** The user's number on the lock: the owner is 1. */
  readonly lockUserId: number;
  readonly type: "home" | "device";
  readonly role: "admin" | "normal";
  nickName: string;
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
  readonly voice: boolean;
  readonly photo: boolean;
}

export type UserAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; reason: "NOT_FOUND" | "INVALID_PARAM" | "NOT_ALLOWED"; field: string; message: string };

const refuse = (reason: "NOT_FOUND" | "INVALID_PARAM" | "NOT_ALLOWED", field: string, message: string) =>
  ({ ok: false, reason, field, message }) as const;

interface Enrollment {
  readonly userId: string;
  readonly keyId: string;
  cancelled: boolean;
}

interface LockBook {
  readonly users: Map<string, LockUser>;
  nextLockUserId: number;
  readonly assigned: Map<string, string>;
  readonly attributes: Map<string, { voice: boolean; photo: boolean }>;
  readonly enrolling: Map<UnlockType, Enrollment>;
}

/** The owner of a lock: its one home user, an administrator, with an id made from the lock's. */
export const ownerIdOf = (deviceId: string) => `${deviceId}-u1`;

export class LockUserBook {
  readonly #locks = new Map<string, LockBook>();

  private lock(deviceId: string): LockBook {
    let lock = this.#locks.get(deviceId);
    if (lock === undefined) {
      const owner: LockUser = {
        id: ownerIdOf(deviceId),
        lockUserId: 1,
        type: "home",
        role: "admin",
        nickName: "owner",
      };
      lock = {
        users: new Map([[owner.id, owner]]),
        nextLockUserId: 2,
        assigned: new Map(),
        attributes: new Map(),
        enrolling: new Map(),
      };
      this.#locks.set(deviceId, lock);
    }
    return lock;
  }

  /** The lock's users, the owner first, then in the order they were added. */
  users(deviceId: string): LockUser[] {
    return [...this.lock(deviceId).users.values()];
  }

  user(deviceId: string, userId: string): LockUser | undefined {
    return this.lock(deviceId).users.get(userId);
  }

  addDeviceUser(deviceId: string, fields: DeviceUserFields): LockUser {
    const lock = this.lock(deviceId);
    const lockUserId = lock.nextLockUserId++;
    const user: LockUser = {
      ...fields,
      id: `${deviceId}-u${lockUserId}`,
      lockUserId,
      type: "device",
      role: "normal",
    };
    lock.users.set(user.id, user);
    return user;
  }

  modifyDeviceUser(deviceId: string, userId: string, fields: DeviceUserFields): UserAnswer<LockUser> {
    const found = this.deviceUser(deviceId, userId);
    if (!found.ok) return found;
    Object.assign(found.value, fields);
    return found;
  }

  /** The user goes; the keys linked with them stay on the lock, unlinked. */
  deleteDeviceUser(deviceId: string, userId: string): UserAnswer<LockUser> {
    const found = this.deviceUser(deviceId, userId);
    if (!found.ok) return found;
    const lock = this.lock(deviceId);
    lock.users.delete(userId);
    for (const [keyId, owner] of lock.assigned) if (owner === userId) lock.assigned.delete(keyId);
    return found;
  }

  /** A device user (not a home user): an administrator cannot be read or changed this way (seed line 3588). */
  deviceUser(deviceId: string, userId: string): UserAnswer<LockUser> {
    const user = this.user(deviceId, userId);
    if (user === undefined)
      return refuse("NOT_FOUND", "user_id", `user_id: no user ${JSON.stringify(userId)}`);
    if (user.role === "admin")
      return refuse("NOT_ALLOWED", "user_id", `user_id: ${JSON.stringify(userId)} is an administrator`);
    if (user.type !== "device")
      return refuse("NOT_FOUND", "user_id", `user_id: ${JSON.stringify(userId)} is not a device user`);
    return { ok: true, value: user };
  }

  /**
   * The lock's unlocking methods: its keys whose `KEY_ID` is a number and whose `KEY_TYPE` is known (a temporary
   * password, `T<id>`, is not one). A link to a key the lock no longer holds is dropped.
   */
  keys(deviceId: string, entries: readonly KeyEntry[]): UnlockKey[] {
    const lock = this.lock(deviceId);
    const keys = entries.flatMap((e): UnlockKey[] => {
      const keyId = e.KEY_ID ?? "";
      const type = KEY_TYPES[e.KEY_TYPE ?? ""];
      if (!/^\d{1,9}$/.test(keyId) || type === undefined) return [];
      const attributes = lock.attributes.get(keyId);
      return [
        {
          keyId,
          no: Number(keyId),
          type,
          name: e.KEY_NAME ?? "",
          hijack: e.HIJACK === "1",
          userId: lock.assigned.get(keyId),
          voice: attributes?.voice ?? false,
          photo: attributes?.photo ?? false,
        },
      ];
    });
    const held = new Set(keys.map((k) => k.keyId));
    for (const keyId of lock.assigned.keys()) if (!held.has(keyId)) lock.assigned.delete(keyId);
    return keys.sort((a, b) => a.no - b.no);
  }

  /** The key of that type and number, if the lock holds it. */
  key(deviceId: string, entries: readonly KeyEntry[], type: UnlockType, no: number): UnlockKey | undefined {
    return this.keys(deviceId, entries).find((k) => k.type === type && k.no === no);
  }

  /** Links a key with a user (a key belongs to one user: a link elsewhere moves). */
  assign(deviceId: string, userId: string, keyId: string): void {
    this.lock(deviceId).assigned.set(keyId, userId);
  }

  unassign(deviceId: string, keyId: string): void {
    this.lock(deviceId).assigned.delete(keyId);
  }

  setAttribute(deviceId: string, keyId: string, attribute: "voice" | "photo", enabled: boolean): void {
    const lock = this.lock(deviceId);
    const current = lock.attributes.get(keyId) ?? { voice: false, photo: false };
    lock.attributes.set(keyId, { ...current, [attribute]: enabled });
  }

  /**
   * An enrollment of `type` for `userId`: the key number the lock will record it under (one more than the highest
   * the lock holds or is being given). One enrollment of a type at a time per lock.
   */
  startEnrollment(
    deviceId: string,
    entries: readonly KeyEntry[],
    userId: string,
    type: UnlockType,
  ): UserAnswer<string> {
    const lock = this.lock(deviceId);
    if (lock.enrolling.has(type))
      return refuse("INVALID_PARAM", "unlock_type", `unlock_type: a ${type} enrollment is already under way`);
    const numbers = [
      ...entries.map((e) => e.KEY_ID ?? ""),
      ...[...lock.enrolling.values()].map((e) => e.keyId),
    ]
      .filter((id) => /^\d{1,9}$/.test(id))
      .map(Number);
    const keyId = String(Math.max(0, ...numbers) + 1);
    lock.enrolling.set(type, { userId, keyId, cancelled: false });
    return { ok: true, value: keyId };
  }

  cancelEnrollment(deviceId: string, type: UnlockType): UserAnswer<string> {
    const enrollment = this.lock(deviceId).enrolling.get(type);
    if (enrollment === undefined || enrollment.cancelled)
      return refuse("NOT_FOUND", "unlock_type", `unlock_type: no ${type} enrollment under way`);
    enrollment.cancelled = true;
    return { ok: true, value: enrollment.keyId };
  }

  /**
   * The lock's answer to an enrollment: recorded (`ok`) links the key with its user, unless the enrollment was
   * cancelled meanwhile (then `withdraw` says the key must be deleted from the lock).
   */
  enrolled(
    deviceId: string,
    type: UnlockType,
    ok: boolean,
  ): { keyId: string; withdraw: boolean } | undefined {
    const lock = this.lock(deviceId);
    const enrollment = lock.enrolling.get(type);
    if (enrollment === undefined) return undefined;
    lock.enrolling.delete(type);
    if (ok && !enrollment.cancelled && lock.users.has(enrollment.userId))
      lock.assigned.set(enrollment.keyId, enrollment.userId);
    return { keyId: enrollment.keyId, withdraw: ok && enrollment.cancelled };
  }
}
