import type { LockEndpointId } from "../../../harness/protocol/lock-api/endpoints.ts";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandler, LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { applicableLock, isLock } from "./lock-of.ts";
import { LockUserKeys } from "./lock-user-keys.ts";
import { ownerIdOf } from "./lock-users.ts";
import { deviceUserHandlers } from "./user-device-users.ts";
import { unlockMethodHandlers } from "./user-unlock-methods.ts";

/**
 * Endpoints whose "Applicable lock types" name neither Wi-Fi nor Zigbee locks (Wi-Fi access control devices,
 * Wi-Fi locks with video talk, keepalive Wi-Fi locks): the platform's locks answer 2004, an unknown device 2010.
 */
const otherLockTypes = [
  "updateDeviceUserRole",
  "getDeviceUserV11",
  "listDeviceUsersV11",
  "listHomeUsers",
  "updateHomeUserSchedule",
  "listAbsentUsers",
  "deleteUsersIssue",
  "allocateOpmodes",
  "syncOpmodes",
  "renameOpmode",
  "listUserOpmodes",
  "listRecords",
  "allocateRecord",
] as const satisfies readonly LockEndpointId[];

const notForThisLock =
  (id: LockEndpointId): LockHandler =>
  (call, deps) => {
    applicableLock(id, call, deps);
    throw new LockApiError("functionNotSupported", `hilfarm does not serve ${id} for this lock`, "path");
  };

/**
 * The devices linked with a user account: the account of a lock's owner (its home user) is linked with that lock,
 * and the endpoint lists the linked devices it applies to (Wi-Fi access control devices, which the platform does not
 * have). An account the platform does not know is 1000.
 */
const listUserDevices: LockHandler = (call, deps) => {
  const uid = call.params.uid ?? "";
  const linked = deps.store
    .all()
    .filter((d) => ownerIdOf(d.deviceId) === uid && isLock(deps.store, d.deviceId));
  if (linked.length === 0)
    throw new LockApiError("dataNotExist", `uid: no account ${JSON.stringify(uid)}`, "uid");
  const applies: readonly string[] = lockEndpoints.listUserDevices.lockTypes;
  const records = linked
    .filter((d) => applies.includes(deps.passwords.kindOf(d.deviceId)))
    .map((d) => ({ id: d.deviceId, uid, owner_id: uid, sub: d.parentId !== undefined }));
  return { has_more: false, total: records.length, total_pages: records.length === 0 ? 0 : 1, records };
};

/** Device and home users, roles, unlocking methods and their assignment, records and their allocation. */
export function userHandlers(context: LockHandlerContext): LockHandlers {
  const keys = new LockUserKeys({
    store: context.platform.store,
    operations: context.platform.operations,
    logger: context.platform.logger.child({ surface: "lock-api", part: "users" }),
  });
  return {
    ...deviceUserHandlers(keys),
    ...unlockMethodHandlers(keys),
    ...Object.fromEntries(otherLockTypes.map((id) => [id, notForThisLock(id)])),
    listUserDevices,
  };
}
