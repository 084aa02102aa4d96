import { fail, ok, type Result } from "../../harness/errors.ts";
import { badParameter, type CRequestError } from "../../harness/protocol/c/errors.ts";
import type { CRequest } from "../../harness/protocol/c/interfaces.ts";
import type { ResourceEntry, TpDevice } from "./devices.ts";

/**
 * C28 and C31 on an emulated device, as its profile says: the same rules the Mc emulated devices follow for 2005
 * and 2031 (emulators/profiles/profile-model.ts), written over immutable records. Pure.
 */

export interface Controlled {
  device: TpDevice;
  /** The serials the control addressed: their statuses are the answer's `result` and the C16 that follows. */
  serials: string[];
  /** Events the commands raise (a profile's `event`, e.g. LOCK_OPEN after UNLOCK), reported with C18. */
  events: string[];
}

/** 7.3.2.8: serialId "0" on a multi-line device addresses every line. */
export function targetSerials(device: TpDevice, serialId: string): string[] {
  const all = Object.keys(device.status);
  if (serialId === "0" && !all.includes("0")) return all;
  return all.includes(serialId) ? [serialId] : [];
}

/**
 * 7.3.2.8: `cmds[i].name` is a command of the profile, `value` its parameter. Every command is checked before any
 * takes effect; an unknown command or a value out of the profile's range is 1002 naming the command's field.
 */
export function applyControl(
  device: TpDevice,
  serialId: string,
  cmds: CRequest<"C28">["cmds"],
): Result<Controlled, CRequestError> {
  const serials = targetSerials(device, serialId);
  if (serials.length === 0)
    return fail(badParameter("serialId", `${device.deviceType} has no such line`, serialId));
  const changes: Array<{ status: string; value: string }> = [];
  const events: string[] = [];
  for (const [i, { name, value: param }] of cmds.entries()) {
    const command = device.profile.commands[name];
    if (command === undefined)
      return fail(
        badParameter(
          `cmds.${i}.name`,
          `${device.deviceType} has no command ${name} (it has ${Object.keys(device.profile.commands).join(", ") || "none"})`,
          name,
        ),
      );
    const value = command.value ?? param;
    const n = Number(value);
    const outOfRange =
      (command.values !== undefined && !command.values.includes(value)) ||
      (command.min !== undefined && !(n >= command.min)) ||
      (command.max !== undefined && !(n <= command.max));
    if (outOfRange) return fail(badParameter(`cmds.${i}.value`, `out of range for ${name}`, param));
    changes.push({ status: command.status, value });
    if (command.event !== undefined) events.push(command.event);
  }
  const status: Record<string, Record<string, string>> = { ...device.status };
  for (const s of serials) {
    const line = { ...(status[s] ?? {}) };
    for (const change of changes) if (change.status in line) line[change.status] = change.value;
    status[s] = line;
  }
  return ok({ device: { ...device, status }, serials, events });
}

type ResourceChange = NonNullable<CRequest<"C31">["resource"]>[number];

/**
 * 7.3.2.9: add ("1"), modify ("2") or delete ("3") entries of the resources the profile lets the platform manage,
 * each entry found by the profile's `idField` (KEY_LIST by KEY_ID). All are checked before any takes effect.
 */
export function manageResources(
  device: TpDevice,
  resource: readonly ResourceChange[],
): Result<TpDevice, CRequestError> {
  for (const [i, list] of resource.entries()) {
    const managed = device.profile.managedResources[list.resName];
    if (managed === undefined)
      return fail(
        badParameter(`resource.${i}.resName`, `${device.deviceType} manages no such resource`, list.resName),
      );
    if (!(list.serialId in device.status))
      return fail(
        badParameter(`resource.${i}.serialId`, `${device.deviceType} has no such line`, list.serialId),
      );
    for (const [j, entry] of list.resInfo.entries())
      if (entry[managed.idField] === undefined)
        return fail(
          badParameter(
            `resource.${i}.resInfo.${j}.${managed.idField}`,
            "required to find the entry",
            undefined,
            false,
          ),
        );
  }
  const resources: Record<string, Record<string, readonly ResourceEntry[]>> = { ...device.resources };
  for (const { serialId, resName, resInfo } of resource) {
    const { idField } = device.profile.managedResources[resName] as { idField: string };
    const line = { ...(resources[serialId] ?? {}) };
    const entries = [...(line[resName] ?? [])];
    for (const { mode, ...fields } of resInfo) {
      const entry = fields as ResourceEntry;
      const index = entries.findIndex((e) => e[idField] === entry[idField]);
      if (mode === "3") {
        if (index >= 0) entries.splice(index, 1);
      } else if (index >= 0) entries[index] = { ...entries[index], ...entry };
      else entries.push(entry);
    }
    line[resName] = entries;
    resources[serialId] = line;
  }
  return ok({ ...device, resources });
}
