import type { DeviceModel } from "../model.ts";
import type { LanChange, LanProfile, StatusConstraints } from "./lan-attributes.ts";

/**
 * The statuses a LAN side serves and changes: a profile device's own, or a gateway's own (its sub-devices have no LAN
 * side, 6.2.2). A profile model is one as it is; a gateway holds one as `own`. Read structurally, so that the device
 * layer needs neither the profiles nor the gateway.
 */
export interface LanStateModel {
  readonly deviceId: string;
  readonly profile: LanProfile;
  /** `status[serialId][statusName] = value`, changed in place. */
  readonly status: Record<string, Record<string, string>>;
  /** The platform's 2001 constraints by status name. */
  readonly constraints: StatusConstraints;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function isLanState(value: unknown): value is LanStateModel {
  if (!isRecord(value)) return false;
  const { deviceId, profile, status, constraints } = value;
  return (
    typeof deviceId === "string" &&
    isRecord(profile) &&
    isRecord(profile.serials) &&
    isRecord(profile.commands) &&
    isRecord(status) &&
    isRecord(constraints)
  );
}

/** The state model behind a device model, or undefined when it has none a LAN side can serve. */
export function lanStateOf(model: DeviceModel): LanStateModel | undefined {
  if (isLanState(model)) return model;
  const own = (model as unknown as { own?: unknown }).own;
  return isLanState(own) ? own : undefined;
}

/** Applies checked changes to the statuses; returns the serials changed, in order. */
export function applyChanges(state: LanStateModel, changes: readonly LanChange[]): string[] {
  const serials: string[] = [];
  for (const change of changes) {
    const serial = state.status[change.serialId];
    if (serial === undefined) continue;
    serial[change.status] = change.value;
    if (!serials.includes(change.serialId)) serials.push(change.serialId);
  }
  return serials;
}

/** A copy of the statuses, to diff against later. */
export function copyStatuses(state: LanStateModel): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(state.status).map(([serialId, entry]) => [serialId, { ...entry }]),
  );
}

/** The `statusSerials` of a 2006 reporting every status of `serialIds` (5.4.3.3). */
export function statusSerials(state: LanStateModel, serialIds: readonly string[]) {
  return serialIds.map((serialId) => ({
    serialId,
    statusSerial: Object.entries(state.status[serialId] ?? {}).map(([statusName, curStatusValue]) => ({
      statusName,
      curStatusValue,
    })),
  }));
}
