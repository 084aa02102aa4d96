import {
  type LockEndpoint,
  type LockType,
  lockTypeLabels,
} from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { DeviceRecord } from "../state-store.ts";

/**
 * The lock types of hilfarm's own lock profiles, by model: what a cloud knows of a product. A model not listed is a
 * Zigbee lock behind a gateway and a Wi-Fi lock otherwise; `lockApi.lockTypes` adds or overrides models.
 */
export const DEFAULT_LOCK_TYPES: Readonly<Record<string, LockType>> = {
  "LOCK-01": "wifi",
  "ZB-LOCK-01": "zigbee",
  "LOCK-K01": "keepalive-wifi",
  "LOCK-V01": "wifi-video",
  "ACS-01": "wifi-access-control",
  "ZB-LOCK-H01": "zigbee-hotel",
};

export type LockTypesByModel = Readonly<Record<string, LockType>>;

/** The lock type of a device the platform knows. */
export function lockTypeOf(record: DeviceRecord, byModel: LockTypesByModel): LockType {
  const listed = record.model === undefined ? undefined : byModel[record.model];
  return listed ?? (record.parentId === undefined ? "wifi" : "zigbee");
}

/**
 * Each endpoint's "Applicable lock types": a call about a lock of another type is refused with 2004, naming the
 * endpoint, the types it applies to and the lock's own.
 */
export function checkLockType(endpoint: LockEndpoint, record: DeviceRecord, byModel: LockTypesByModel): void {
  const type = lockTypeOf(record, byModel);
  if (endpoint.lockTypes.includes(type)) return;
  const names = endpoint.lockTypes.map((t) => lockTypeLabels[t]).join(", ");
  throw new LockApiError(
    "lockTypeNotSupported",
    `${endpoint.id} (seed line ${endpoint.seedLine}) applies to: ${names}; device ${record.deviceId} is a ${lockTypeLabels[type]} (model ${record.model ?? "unknown"})`,
    "device_id",
  );
}
