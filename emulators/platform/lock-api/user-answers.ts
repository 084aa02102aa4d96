import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import type { LockUser, UserAnswer } from "./lock-users.ts";
import { type UnlockType, unlockTypeOf } from "./lock-users-types.ts";

/** A refusal of the users' book as the API's error: 1000 not found, 1106 an administrator, 1109 otherwise. */
export function answered<T>(answer: UserAnswer<T>): T {
  if (answer.ok) return answer.value;
  if (answer.reason === "NOT_FOUND") throw new LockApiError("dataNotExist", answer.message, answer.field);
  if (answer.reason === "NOT_ALLOWED")
    throw new LockApiError("permissionDenied", answer.message, answer.field);
  throw new LockApiError("paramIllegal", answer.message, answer.field);
}

/** An unlocking type named by a path or body (`fingerprint` or `unlock_fingerprint`); 1109 otherwise. */
export function unlockTypeParam(text: string | undefined, field = "unlock_type"): UnlockType {
  const type = unlockTypeOf(text ?? "");
  if (type === undefined)
    throw new LockApiError("paramIllegal", `${field}: no unlocking type ${JSON.stringify(text)}`, field);
  return type;
}

/** A key number (`unlock_no`, `unlock_sn`, `no`): a whole number; 1109 otherwise. */
export function keyNumberParam(text: string | undefined, field: string): number {
  if (!/^\d{1,9}$/.test(text ?? ""))
    throw new LockApiError(
      "paramIllegal",
      `${field}: expected a key number, got ${JSON.stringify(text)}`,
      field,
    );
  return Number(text);
}

/**
 * The user a call names with `user_type` (1 a home user, 2 not a home user) and `user_id`: 1000 if the lock has no
 * such user, 1109 if the user is of the other type.
 */
export function typedUser(
  keys: LockUserKeys,
  deviceId: string,
  userType: string | number,
  userId: string,
): LockUser {
  const user = keys.book.user(deviceId, userId);
  if (user === undefined)
    throw new LockApiError("dataNotExist", `user_id: no user ${JSON.stringify(userId)}`, "user_id");
  const wanted = String(userType) === "1" ? "home" : "device";
  if (user.type !== wanted)
    throw new LockApiError(
      "paramIllegal",
      `user_type: ${userType}, but ${JSON.stringify(userId)} is a ${user.type} user`,
      "user_type",
    );
  return user;
}

/** The key of that type and number the lock holds; 1000 otherwise. */
export function heldKey(keys: LockUserKeys, deviceId: string, type: UnlockType, no: number) {
  const key = keys.key(deviceId, type, no);
  if (key === undefined)
    throw new LockApiError("dataNotExist", `unlock_no: the lock holds no ${type} key ${no}`, "unlock_no");
  return key;
}
