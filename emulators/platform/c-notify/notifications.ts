import type { Clock } from "../../../harness/clock/clock.ts";
import { CRequestError } from "../../../harness/protocol/c/errors.ts";
import type { CRequest } from "../../../harness/protocol/c/interfaces.ts";
import type { Fanout } from "../fanout/index.ts";
import type { Presence } from "../presence.ts";
import type { DeviceRecord, StateStore } from "../state-store.ts";
import { resourceChanges, resourceSerials, statusSerials } from "./mapping.ts";

/** The interfaces after the token: C12-C18 (7.3.1.2-7.3.1.8). */
export type NotifyId = "C12" | "C13" | "C14" | "C15" | "C16" | "C17" | "C18";

export interface NotifyDeps {
  readonly store: StateStore;
  readonly presence: Presence;
  readonly fanout: Pick<Fanout, "publish">;
  readonly clock: Clock;
}

/** 7.3.1.6: parts of one resource report at most 120 s apart; a longer gap ends the report. */
export const RESOURCE_REPORT_GAP_MS = 120_000;

/**
 * Which devices the third-party platform may speak of: those that live behind it (`via` "third-party"). One appears
 * when the third party announces it: C13 (a sub-device bound to a gateway it announced), C15 (online or offline), C16
 * (its statuses). C12, C14, C17 and C18 name a device already known, else 1003. A device of the registry lives on
 * the platform's Mc servers: to the third party it does not exist (1003).
 */
function unknown(field: string, id: string, why: string): CRequestError {
  return new CRequestError("DEVICE_UNKNOWN", `${field}: ${why}`, field, JSON.stringify(id));
}

/**
 * Applies one notification (C12-C18) to the platform's state, publishing each change on the fan-out as Mc
 * devices' are. Returns the refusal (1003) when the request names a device the platform does not know.
 */
export function applyNotification(
  id: NotifyId,
  request: CRequest<NotifyId>,
  deps: NotifyDeps,
): CRequestError | undefined {
  const { store, presence, fanout, clock } = deps;
  const { deviceSN } = request;
  const record = store.get(deviceSN);
  const known = (r: DeviceRecord | undefined): r is DeviceRecord =>
    r !== undefined && r.via === "third-party";
  const refusedMc =
    record !== undefined && record.via !== "third-party"
      ? unknown("deviceSN", deviceSN, "a device of the platform's own Mc servers, not of the third party")
      : undefined;
  if (refusedMc !== undefined) return refusedMc;
  const missing = () => unknown("deviceSN", deviceSN, "no such device behind the third-party platform");
  /** Announces the device (C15, C16) when it is new: no parent, its `deviceType` as its model. */
  const announce = (deviceType: string): DeviceRecord =>
    known(record) ? record : store.register(deviceSN, deviceType, undefined, "third-party");
  /** 7.3.1.6-7.3.1.8: a report from a device held offline brings it, and its gateway, online. */
  const markAlive = (device: DeviceRecord): void => {
    store.setUnbound(device.deviceId, false);
    presence.setOnline(device.deviceId, true);
    if (device.parentId !== undefined) presence.setOnline(device.parentId, true);
  };

  switch (id) {
    case "C12": {
      // 7.3.1.2: the device was unbound: unbound and offline, as a sub-device its gateway lets go (2018); a
      // gateway's sub-devices go with it.
      if (!known(record)) return missing();
      for (const sub of store.subDevicesOf(deviceSN)) if (!sub.unbound) presence.markUnbound(sub.deviceId);
      presence.markUnbound(deviceSN);
      return undefined;
    }
    case "C13": {
      // 7.3.1.3: a sub-device bound to a gateway the third party announced; a move to another gateway starts anew.
      const { gwId, deviceType } = request as CRequest<"C13">;
      if (!known(store.get(gwId)) || gwId === deviceSN)
        return unknown("gwId", gwId, "no such gateway behind the third-party platform");
      if (!known(record) || record.parentId !== gwId)
        store.register(deviceSN, deviceType, gwId, "third-party");
      store.setUnbound(deviceSN, false);
      return undefined;
    }
    case "C14": {
      // 7.3.1.4: the sub-device leaves its gateway: unbound and offline.
      const { gwId } = request as CRequest<"C14">;
      if (!known(store.get(gwId)))
        return unknown("gwId", gwId, "no such gateway behind the third-party platform");
      if (!known(record) || record.parentId !== gwId)
        return unknown("deviceSN", deviceSN, `no such sub-device of gateway ${JSON.stringify(gwId)}`);
      presence.markUnbound(deviceSN);
      return undefined;
    }
    case "C15": {
      // 7.3.1.5: "1" online, "0" offline.
      const { deviceType, online } = request as CRequest<"C15">;
      announce(deviceType);
      if (online === "1") store.setUnbound(deviceSN, false);
      presence.setOnline(deviceSN, online === "1");
      return undefined;
    }
    case "C16": {
      const { deviceType, status, resource } = request as CRequest<"C16">;
      const device = announce(deviceType);
      markAlive(device);
      store.applyStatus(deviceSN, statusSerials(status));
      if (resource !== undefined) {
        store.applyResourceReport(deviceSN, resourceSerials(resource), clock.now(), RESOURCE_REPORT_GAP_MS);
        fanout.publish(deviceSN, "resources", store.get(deviceSN)?.resources);
      }
      fanout.publish(deviceSN, "state", store.get(deviceSN)?.status);
      return undefined;
    }
    case "C17": {
      if (!known(record)) return missing();
      markAlive(record);
      store.applyResourceChange(deviceSN, resourceChanges((request as CRequest<"C17">).resource));
      fanout.publish(deviceSN, "resources", store.get(deviceSN)?.resources);
      return undefined;
    }
    case "C18": {
      if (!known(record)) return missing();
      markAlive(record);
      const now = clock.now();
      for (const event of (request as CRequest<"C18">).event) {
        const body: Record<string, unknown> = { ...event };
        store.addEvent(deviceSN, { kind: "event", receivedAt: now, body });
        fanout.publish(deviceSN, "event", body);
      }
      return undefined;
    }
  }
}
