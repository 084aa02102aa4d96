/** The state the users' book keeps per lock, its fixture (the lock's home), and the enrollments under way. */
import type { KeyEntry } from "./lock-of.ts";
import {
  type AbsentUser,
  type LockUser,
  refuse,
  type UnlockType,
  type UserAnswer,
} from "./lock-users-types.ts";

interface Enrollment {
  readonly userId: string;
  readonly keyId: string;
  cancelled: boolean;
}

export interface LockBook {
  readonly users: Map<string, LockUser>;
  nextLockUserId: number;
  readonly assigned: Map<string, string>;
  /** Keys linked by an allocation rather than enrolled for their user. */
  readonly allocated: Set<string>;
  readonly absent: AbsentUser[];
  readonly attributes: Map<string, { voice: boolean; photo: boolean }>;
  readonly enrolling: Map<UnlockType, Enrollment>;
}

/** The owner of a lock: a home user, its administrator, with an id made from the lock's. */
export const ownerIdOf = (deviceId: string) => `${deviceId}-u1`;

/** The other member of the lock's home: a common home user, lock user 2. */
export const memberIdOf = (deviceId: string) => `${deviceId}-u2`;

/** A lock's home as the cloud starts it: the owner (lock user 1, an administrator) and a member (lock user 2). */
export function newLockBook(deviceId: string): LockBook {
  const owner: LockUser = {
    id: ownerIdOf(deviceId),
    lockUserId: 1,
    type: "home",
    role: "admin",
    nickName: "owner",
  };
  const member: LockUser = {
    id: memberIdOf(deviceId),
    lockUserId: 2,
    type: "home",
    role: "normal",
    nickName: "member",
  };
  return {
    users: new Map([
      [owner.id, owner],
      [member.id, member],
    ]),
    nextLockUserId: 3,
    assigned: new Map(),
    allocated: new Set(),
    absent: [],
    attributes: new Map(),
    enrolling: new Map(),
  };
}

/**
 * An enrollment of `type` for `userId`: the key number the lock will record it under (one more than the highest
 * the lock holds or is being given). One enrollment of a type at a time per lock.
 */
export function startEnrollment(
  lock: LockBook,
  entries: readonly KeyEntry[],
  userId: string,
  type: UnlockType,
): UserAnswer<string> {
  if (lock.enrolling.has(type))
    return refuse("INVALID_PARAM", "unlock_type", `unlock_type: a ${type} enrollment is already under way`);
  const numbers = [...entries.map((e) => e.KEY_ID ?? ""), ...[...lock.enrolling.values()].map((e) => e.keyId)]
    .filter((id) => /^\d{1,9}$/.test(id))
    .map(Number);
  const keyId = String(Math.max(0, ...numbers) + 1);
  lock.enrolling.set(type, { userId, keyId, cancelled: false });
  return { ok: true, value: keyId };
}

export function cancelEnrollment(lock: LockBook, type: UnlockType): UserAnswer<string> {
  const enrollment = lock.enrolling.get(type);
  if (enrollment === undefined || enrollment.cancelled)
    return refuse("NOT_FOUND", "unlock_type", `unlock_type: no ${type} enrollment under way`);
  enrollment.cancelled = true;
  return { ok: true, value: enrollment.keyId };
}

/**
 * The lock's answer to an enrollment: recorded (`ok`) links the key with its user, unless the enrollment was
 * cancelled meanwhile (then `withdraw` says the key must be deleted from the lock).
 */
export function enrolled(
  lock: LockBook,
  type: UnlockType,
  ok: boolean,
): { keyId: string; withdraw: boolean } | undefined {
  const enrollment = lock.enrolling.get(type);
  if (enrollment === undefined) return undefined;
  lock.enrolling.delete(type);
  if (ok && !enrollment.cancelled && lock.users.has(enrollment.userId)) {
    lock.assigned.set(enrollment.keyId, enrollment.userId);
    lock.allocated.delete(enrollment.keyId);
  }
  return { keyId: enrollment.keyId, withdraw: ok && enrollment.cancelled };
}
