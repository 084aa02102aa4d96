import { statusList, type TpDevice, withResources } from "./devices.ts";

/** The interfaces the third party calls on the smart-home platform after the token (7.3.1.2-7.3.1.8). */
export type NotifyId = "C12" | "C13" | "C14" | "C15" | "C16" | "C17" | "C18";

/**
 * One report to the smart-home platform: the interface and its body without `access_token` and `sequenceNo` (the
 * client adds them when it sends). Reports of one device go out in the order they were made.
 */
export interface Notification {
  readonly id: NotifyId;
  readonly deviceSN: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function notification(id: NotifyId, device: TpDevice, fields: Record<string, unknown>): Notification {
  return { id, deviceSN: device.deviceSN, fields: { deviceSN: device.deviceSN, ...fields } };
}

/** 7.3.1.5: `online` is the string "1" or "0". */
export const onlineFlag = (online: boolean) => (online ? "1" : "0");

/**
 * A device the platform now has (after a bind) or that came back: C15 with its presence, and when online C16 with
 * every status and its resources (7.3.1.6: the resources are reported when a device connects).
 */
export function connectReports(device: TpDevice): Notification[] {
  const presence = notification("C15", device, {
    deviceType: device.deviceType,
    online: onlineFlag(device.online),
  });
  if (!device.online) return [presence];
  const status = notification("C16", device, {
    deviceType: device.deviceType,
    status: statusList(device),
    ...withResources(device),
  });
  return [presence, status];
}
