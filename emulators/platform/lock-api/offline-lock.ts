import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { lockLocalKey } from "../../../harness/protocol/lock-api/offline-code.ts";
import type { LockApiDeps, LockCall, LockHandlerContext } from "./lock-call.ts";

/**
 * The lock of the call: one the platform knows (2010). The server has already refused a lock of a type the endpoint
 * does not apply to (2004, lock-types.ts).
 */
export function lockFor(call: LockCall, deps: LockApiDeps): string {
  const deviceId = call.params.device_id ?? "";
  if (deps.store.get(deviceId) === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  return deviceId;
}

/** The lock's local key, from the PIN the registry holds for it (2003 for a device the registry lacks). */
export function localKeyOf(context: LockHandlerContext, deviceId: string): string {
  const registered = context.platform.registry.get(deviceId);
  if (registered === undefined)
    throw new LockApiError(
      "functionNotSupported",
      `no PIN registered for ${deviceId}: no local key`,
      "device_id",
    );
  return lockLocalKey(registered.pin, deviceId);
}
