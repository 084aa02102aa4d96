import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockApiDeps, LockCall, LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import type { UnlockKey } from "./lock-users.ts";
import { openSealed } from "./sealed-password.ts";
import { answered, heldKey, keyNumberParam, typedUser, unlockTypeParam } from "./user-answers.ts";

interface EnrollBody {
  user_id: string | number;
  user_type: 1 | 2;
  unlock_type: string;
  ticket_id?: string;
  password?: string;
}

/** `unlock_type` of a query: absent or empty is every type. */
const typeFilter = (call: LockCall) => {
  const text = (call.query as { unlock_type?: string }).unlock_type;
  if (text === undefined || text === "") return () => true;
  const type = unlockTypeParam(text);
  return (k: UnlockKey) => k.type === type;
};

/**
 * The password of an enrollment, if one was sent: its ticket redeemed and the digits opened (1109/1101 naming the
 * field), after every other check so that a refused request leaves its ticket unused.
 */
function enrolledCode(call: LockCall, deps: LockApiDeps, deviceId: string): string | undefined {
  const body = call.body as EnrollBody;
  if (body.password === undefined) return undefined;
  const sealed = openSealed(call, deps, deviceId, { ...body, password: body.password });
  sealed.spend();
  return sealed.digits;
}

/** Unlocking methods: linking keys with users, enrollment, deletion, duress, attributes. */
export function unlockMethodHandlers(keys: LockUserKeys): LockHandlers {
  const { book } = keys;
  return {
    allocateDeviceUserPassword: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const user = answered(book.deviceUser(deviceId, call.params.user_id ?? ""));
      const body = call.body as { no: string; type: string };
      const key = heldKey(keys, deviceId, unlockTypeParam(body.type, "type"), keyNumberParam(body.no, "no"));
      book.assign(deviceId, user.id, key.keyId);
      return true;
    },
    listAssignedKeys: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const user = typedUser(keys, deviceId, call.params.user_type ?? "", call.params.user_id ?? "");
      const wanted = typeFilter(call);
      return {
        unlock_keys: keys
          .keys(deviceId)
          .filter((k) => k.userId === user.id && wanted(k))
          .map((k) => ({ unlock_no: k.no, unlock_type: k.type, hijack: k.hijack })),
      };
    },
    listUnassignedKeys: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const wanted = typeFilter(call);
      return {
        unlock_keys: keys
          .keys(deviceId)
          .filter((k) => k.userId === undefined && wanted(k))
          .map((k) => ({ unlock_no: k.no, unlock_type: k.type })),
      };
    },
    enrollUnlockMethod: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const body = call.body as EnrollBody;
      const user = typedUser(keys, deviceId, body.user_type, String(body.user_id));
      const type = unlockTypeParam(body.unlock_type);
      if (body.password !== undefined && type !== "password")
        throw new LockApiError("paramIllegal", `password: sent with unlock_type ${type}`, "password");
      answered(keys.enroll(deviceId, user.id, type, enrolledCode(call, deps, deviceId)));
      return true;
    },
    cancelUnlockMethodEnrollment: (call, deps) => {
      const deviceId = lockOf(call, deps);
      answered(book.cancelEnrollment(deviceId, unlockTypeParam(call.params.unlock_type)));
      return true;
    },
    deleteUnlockMethod: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const p = call.params;
      const user = typedUser(keys, deviceId, p.user_type ?? "", p.user_id ?? "");
      const key = heldKey(
        keys,
        deviceId,
        unlockTypeParam(p.unlock_type),
        keyNumberParam(p.unlock_no, "unlock_no"),
      );
      if (key.userId !== user.id)
        throw new LockApiError(
          "dataNotExist",
          `unlock_no: ${key.type} key ${key.no} is not linked with user ${JSON.stringify(user.id)}`,
          "unlock_no",
        );
      keys.remove(deviceId, key.keyId);
      return true;
    },
    setUnlockMethodHijack: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const { unlock_type: type, unlock_no: no } = call.params;
      const key = heldKey(keys, deviceId, unlockTypeParam(type), keyNumberParam(no, "unlock_no"));
      keys.setHijack(deviceId, key.keyId, true);
      return true;
    },
    deleteUnlockMethodHijack: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const { unlock_type: type, unlock_sn: sn } = call.params;
      const key = heldKey(keys, deviceId, unlockTypeParam(type), keyNumberParam(sn, "unlock_sn"));
      keys.setHijack(deviceId, key.keyId, false);
      return true;
    },
    setOpmodeAttribute: (call, deps) => {
      const deviceId = lockOf(call, deps);
      const no = keyNumberParam(call.params.opmode_id, "opmode_id");
      const key = keys.keys(deviceId).find((k) => k.no === no);
      if (key === undefined)
        throw new LockApiError("dataNotExist", `opmode_id: the lock holds no key ${no}`, "opmode_id");
      // attribute 1: voice, 2: photo capturing (seed line 4716).
      const attribute = call.params.attribute === "1" ? "voice" : "photo";
      book.setAttribute(deviceId, key.keyId, attribute, (call.body as { enabled: boolean }).enabled);
      return true;
    },
  };
}
