/**
 * The users of each lock as the cloud keeps them, and which of the lock's keys belongs to whom. Pure: the keys
 * themselves are the lock's (its KEY_LIST, passed in as it last reported it); the book holds the users, the link of
 * a key to a user, the special attributes of a key, and the enrollments under way.
 */
import type { KeyEntry } from "./lock-of.ts";
import {
  cancelEnrollment,
  enrolled,
  type LockBook,
  newLockBook,
  startEnrollment,
} from "./lock-users-state.ts";
import {
  type AbsentUser,
  type DeviceUserFields,
  KEY_TYPES,
  type LockUser,
  refuse,
  type Schedule,
  type UnlockKey,
  type UnlockType,
  type UserAnswer,
  userTypeOf,
} from "./lock-users-types.ts";

export { memberIdOf, ownerIdOf } from "./lock-users-state.ts";
export type { DeviceUserFields, LockUser, UnlockKey, UserAnswer } from "./lock-users-types.ts";

export class LockUserBook {
  readonly #locks = new Map<string, LockBook>();

  private lock(deviceId: string): LockBook {
    let lock = this.#locks.get(deviceId);
    if (lock === undefined) {
      lock = newLockBook(deviceId);
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

  /** The user goes (listed among the absent users); the keys linked with them stay on the lock, unlinked. */
  deleteDeviceUser(deviceId: string, userId: string): UserAnswer<LockUser> {
    const found = this.deviceUser(deviceId, userId);
    if (!found.ok) return found;
    this.remove(deviceId, found.value);
    return found;
  }

  /**
   * Users removed together (any user but the owner), all or none: each goes to the absent users; the ids of the
   * keys that were linked with them (for the lock to delete).
   */
  deleteUsers(deviceId: string, userIds: readonly string[]): UserAnswer<string[]> {
    const users: LockUser[] = [];
    for (const id of userIds) {
      const user = this.user(deviceId, id);
      if (user === undefined)
        return refuse("NOT_FOUND", "user_ids", `user_ids: no user ${JSON.stringify(id)}`);
      if (user.lockUserId === 1)
        return refuse("NOT_ALLOWED", "user_ids", `user_ids: ${JSON.stringify(id)} is the lock's owner`);
      if (!users.includes(user)) users.push(user);
    }
    return { ok: true, value: users.flatMap((u) => this.remove(deviceId, u)) };
  }

  /** The users removed from the lock, oldest first. */
  absent(deviceId: string): readonly AbsentUser[] {
    return this.lock(deviceId).absent;
  }

  private remove(deviceId: string, user: LockUser): string[] {
    const lock = this.lock(deviceId);
    lock.users.delete(user.id);
    lock.absent.push({ user_id: user.id, user_type: userTypeOf(user), lock_user_id: user.lockUserId });
    const keyIds = [...lock.assigned].filter(([, owner]) => owner === user.id).map(([keyId]) => keyId);
    for (const keyId of keyIds) this.unassign(deviceId, keyId);
    return keyIds;
  }

  /** A role change: the owner stays an administrator. */
  setRole(deviceId: string, userId: string, role: "admin" | "normal"): UserAnswer<LockUser> {
    const user = this.user(deviceId, userId);
    if (user === undefined)
      return refuse("NOT_FOUND", "user_id", `user_id: no user ${JSON.stringify(userId)}`);
    if (user.lockUserId === 1)
      return refuse("NOT_ALLOWED", "user_id", `user_id: ${JSON.stringify(userId)} is the lock's owner`);
    user.role = role;
    return { ok: true, value: user };
  }

  /** A new validity period (delivery under way); the owner is always valid. */
  setSchedule(
    deviceId: string,
    userId: string,
    period: Omit<Schedule, "operate" | "delivery">,
  ): UserAnswer<Schedule> {
    const user = this.user(deviceId, userId);
    if (user === undefined)
      return refuse("NOT_FOUND", "user_id", `user_id: no user ${JSON.stringify(userId)}`);
    if (user.lockUserId === 1)
      return refuse("NOT_ALLOWED", "user_id", `user_id: ${JSON.stringify(userId)} is the lock's owner`);
    const schedule: Schedule = {
      ...period,
      operate: user.schedule === undefined ? "ADD" : "MODIFY",
      delivery: "ONGOING",
    };
    user.schedule = schedule;
    return { ok: true, value: schedule };
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
          allocated: lock.allocated.has(keyId),
          voice: attributes?.voice ?? false,
          photo: attributes?.photo ?? false,
        },
      ];
    });
    const held = new Set(keys.map((k) => k.keyId));
    for (const keyId of lock.assigned.keys()) if (!held.has(keyId)) this.unassign(deviceId, keyId);
    return keys.sort((a, b) => a.no - b.no);
  }

  /** The key of that type and number, if the lock holds it. */
  key(deviceId: string, entries: readonly KeyEntry[], type: UnlockType, no: number): UnlockKey | undefined {
    return this.keys(deviceId, entries).find((k) => k.type === type && k.no === no);
  }

  /** Links a key with a user by allocation (a key belongs to one user: a link elsewhere moves). */
  assign(deviceId: string, userId: string, keyId: string): void {
    const lock = this.lock(deviceId);
    lock.assigned.set(keyId, userId);
    lock.allocated.add(keyId);
  }

  unassign(deviceId: string, keyId: string): void {
    const lock = this.lock(deviceId);
    lock.assigned.delete(keyId);
    lock.allocated.delete(keyId);
  }

  setAttribute(deviceId: string, keyId: string, attribute: "voice" | "photo", enabled: boolean): void {
    const lock = this.lock(deviceId);
    const current = lock.attributes.get(keyId) ?? { voice: false, photo: false };
    lock.attributes.set(keyId, { ...current, [attribute]: enabled });
  }

  /** An enrollment of `type` for `userId`: the key number the lock will record it under. */
  startEnrollment(
    deviceId: string,
    entries: readonly KeyEntry[],
    userId: string,
    type: UnlockType,
  ): UserAnswer<string> {
    return startEnrollment(this.lock(deviceId), entries, userId, type);
  }

  cancelEnrollment(deviceId: string, type: UnlockType): UserAnswer<string> {
    return cancelEnrollment(this.lock(deviceId), type);
  }

  /** The lock's answer to an enrollment (see `enrolled` of the lock's state). */
  enrolled(
    deviceId: string,
    type: UnlockType,
    ok: boolean,
  ): { keyId: string; withdraw: boolean } | undefined {
    return enrolled(this.lock(deviceId), type, ok);
  }
}
