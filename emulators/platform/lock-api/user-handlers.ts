import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { isLock } from "./lock-of.ts";
import { lockTypeOf } from "./lock-types.ts";
import { LockUserKeys } from "./lock-user-keys.ts";
import { ownerIdOf } from "./lock-users.ts";
import { deviceUserHandlers } from "./user-device-users.ts";
import { homeUserHandlers } from "./user-home-users.ts";
import { opmodeHandlers } from "./user-opmodes.ts";
import { recordHandlers } from "./user-records.ts";
import { paged } from "./user-shown.ts";
import { unlockMethodHandlers } from "./user-unlock-methods.ts";
import { userV11Handlers } from "./user-v11.ts";

/**
 * The devices linked with a user account (seed line 3999): a lock is linked with the accounts of its home users
 * (its owner's, its member's), and the endpoint lists the linked devices of the lock types it applies to. An account
 * no lock's home has is 1000.
 */
const listUserDevices =
  (keys: LockUserKeys): NonNullable<LockHandlers["listUserDevices"]> =>
  (call, deps) => {
    const uid = call.params.uid ?? "";
    const linked = deps.store
      .all()
      .filter(
        (d) =>
          isLock(deps.store, d.deviceId) &&
          keys.book.users(d.deviceId).some((u) => u.type === "home" && u.id === uid),
      );
    if (linked.length === 0)
      throw new LockApiError("dataNotExist", `uid: no account ${JSON.stringify(uid)}`, "uid");
    const applies: readonly string[] = lockEndpoints.listUserDevices.lockTypes;
    const devices = linked
      .filter((d) => applies.includes(lockTypeOf(d, deps.lockTypes)))
      .map((d) => ({
        id: d.deviceId,
        uid,
        owner_id: ownerIdOf(d.deviceId),
        sub: d.parentId !== undefined,
        online: d.online,
        ...(d.model === undefined ? {} : { model: d.model }),
      }));
    return paged(devices, call.query);
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
    ...userV11Handlers(keys),
    ...homeUserHandlers(keys),
    ...opmodeHandlers(keys),
    ...recordHandlers(keys),
    listUserDevices: listUserDevices(keys),
  };
}
