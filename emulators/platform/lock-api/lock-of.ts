import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { StateStore } from "../state-store.ts";
import type { LockApiDeps, LockCall } from "./lock-call.ts";
import { KEY_RESOURCE } from "./lock-passwords.ts";

/** A lock's KEY_LIST entry as it reported it. */
export type KeyEntry = Readonly<Record<string, string>>;

/** The device of the call: one the platform knows (2010 otherwise; the server has checked its lock type). */
export function lockOf(call: LockCall, deps: Pick<LockApiDeps, "store">): string {
  const deviceId = call.params.device_id ?? "";
  if (deps.store.get(deviceId) === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
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
