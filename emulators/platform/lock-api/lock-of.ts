import type { LockType } from "../../../harness/protocol/lock-api/endpoints/schema.ts";
import { type LockEndpointId, lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { StateStore } from "../state-store.ts";
import type { LockApiDeps, LockCall } from "./lock-call.ts";
import { KEY_RESOURCE } from "./lock-passwords.ts";

/** A lock's KEY_LIST entry as it reported it. */
export type KeyEntry = Readonly<Record<string, string>>;

/** The device of the call: one the platform knows (2010 otherwise). */
export function lockOf(call: LockCall, deps: Pick<LockApiDeps, "store">): string {
  const deviceId = call.params.device_id ?? "";
  if (deps.store.get(deviceId) === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  return deviceId;
}

/**
 * The device of the call, known (2010) and of a lock type the endpoint's "Applicable lock types" name (2004
 * otherwise): the platform's locks are Wi-Fi locks and Zigbee locks.
 */
export function applicableLock(id: LockEndpointId, call: LockCall, deps: LockApiDeps): string {
  const deviceId = lockOf(call, deps);
  const kind = deps.passwords.kindOf(deviceId);
  const types: readonly LockType[] = lockEndpoints[id].lockTypes;
  if (!types.includes(kind))
    throw new LockApiError(
      "lockTypeNotSupported",
      `${id} applies to ${types.join(", ")}; device ${JSON.stringify(deviceId)} is a ${kind} lock`,
      "device_id",
    );
  return deviceId;
}

/** Whether the device has reported a KEY_LIST: the platform's locks do. */
export function isLock(store: StateStore, deviceId: string): boolean {
  return (
    store
      .get(deviceId)
      ?.resources.some((s) => s.resourceSerial.some((r) => r.resourceName === KEY_RESOURCE)) ?? false
  );
}

/** The keys the lock last reported (its KEY_LIST on serial "0"), none if it reported none. */
export function keysOf(store: StateStore, deviceId: string): readonly KeyEntry[] {
  return (
    store
      .get(deviceId)
      ?.resources.find((s) => s.serialId === "0")
      ?.resourceSerial.find((r) => r.resourceName === KEY_RESOURCE)?.resourceInfo ?? []
  );
}
