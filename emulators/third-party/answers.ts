import { fail, ok, type Result } from "../../harness/errors.ts";
import { badParameter, CRequestError } from "../../harness/protocol/c/errors.ts";
import type { CRequest } from "../../harness/protocol/c/interfaces.ts";
import { applyControl, manageResources } from "./commands.ts";
import { statusList, type TpDevice, withResources } from "./devices.ts";
import { connectReports, type Notification, notification } from "./notifications.ts";

/**
 * C22-C31 (7.3.2.2-7.3.2.11) on the third party's devices, after the token was checked and the body parsed. Pure:
 * each handler gives the changed devices, the answer's result fields and the notifications (C12-C18) the change
 * makes, or the refusal.
 */

export type CallId = "C22" | "C23" | "C24" | "C25" | "C26" | "C27" | "C28" | "C29" | "C30" | "C31";

export interface Handled {
  /** Devices whose record changed. */
  changed: TpDevice[];
  fields: Record<string, unknown>;
  notifications: Notification[];
}

type Devices = ReadonlyMap<string, TpDevice>;

const unknownDevice = (field: string, id: string, why: string) =>
  new CRequestError("DEVICE_UNKNOWN", `${field}: ${why}`, field, JSON.stringify(id));

/**
 * 1003 unless the device is one of the third party's and, but for C22 and C24 which bind it, bound to the smart-home
 * platform: until a bind (7.2 step 3), a device is not the platform's to ask about.
 */
function boundDevice(devices: Devices, sn: string, field = "deviceSN"): Result<TpDevice, CRequestError> {
  const device = devices.get(sn);
  if (device === undefined)
    return fail(unknownDevice(field, sn, "no such device on the third-party platform"));
  if (!device.bound)
    return fail(unknownDevice(field, sn, "not bound to the smart-home platform (C22/C24 first)"));
  return ok(device);
}

function checkType(device: TpDevice, deviceType: string | undefined): CRequestError | undefined {
  if (deviceType === undefined || deviceType === device.deviceType) return undefined;
  return badParameter("deviceType", `${device.deviceSN} is a ${device.deviceType}`, deviceType);
}

const done = (
  changed: TpDevice[],
  fields: Record<string, unknown> = {},
  notifications: Notification[] = [],
) => ok<Handled>({ changed, fields, notifications });

function bind(devices: Devices, r: CRequest<"C22">): Result<Handled, CRequestError> {
  const device = devices.get(r.deviceSN);
  if (device === undefined)
    return fail(unknownDevice("deviceSN", r.deviceSN, "no such device on the third-party platform"));
  if (device.kind === "sub-device")
    return fail(badParameter("deviceSN", `a sub-device of ${device.gwId}: bind it with C24`, r.deviceSN));
  const wrongType = checkType(device, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  const fields = { deviceSN: device.deviceSN, deviceType: device.deviceType, sequenceNo: r.sequenceNo };
  // Binding a bound device again changes nothing: the platform already heard of it.
  if (device.bound) return done([], fields);
  const bound = { ...device, bound: true };
  return done([bound], fields, connectReports(bound));
}

function unbind(devices: Devices, r: CRequest<"C23">): Result<Handled, CRequestError> {
  const found = boundDevice(devices, r.deviceSN);
  if (!found.ok) return found;
  const device = found.value;
  const wrongType = checkType(device, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  if (device.kind === "sub-device")
    return fail(badParameter("deviceSN", `a sub-device of ${device.gwId}: unbind it with C25`, r.deviceSN));
  // A gateway's bound sub-devices leave with it (C14 each), then the gateway itself (C12, 7.3.1.2).
  const subs = [...devices.values()].filter((d) => d.gwId === device.deviceSN && d.bound);
  const changed = [...subs, device].map((d) => ({ ...d, bound: false }));
  const notes = subs.map((s) => notification("C14", s, { gwId: device.deviceSN, deviceType: s.deviceType }));
  return done(changed, {}, [...notes, notification("C12", device, { deviceType: device.deviceType })]);
}

function subDevice(devices: Devices, gwId: string, sn: string): Result<TpDevice, CRequestError> {
  const gateway = boundDevice(devices, gwId, "gwId");
  if (!gateway.ok) return gateway;
  if (gateway.value.kind !== "gateway") return fail(unknownDevice("gwId", gwId, "not a gateway"));
  const device = devices.get(sn);
  if (device === undefined || device.gwId !== gwId)
    return fail(unknownDevice("deviceSN", sn, `no such sub-device behind gateway ${JSON.stringify(gwId)}`));
  return ok(device);
}

function subBind(devices: Devices, r: CRequest<"C24">): Result<Handled, CRequestError> {
  const found = subDevice(devices, r.gwId, r.deviceSN);
  if (!found.ok) return found;
  const device = found.value;
  const wrongType = checkType(device, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  if (device.bound) return done([]);
  const bound = { ...device, bound: true };
  // 7.3.1.3: the sub-device under its gateway first, then its state as on connecting.
  const joined = notification("C13", bound, { gwId: r.gwId, deviceType: bound.deviceType });
  return done([bound], {}, [joined, ...connectReports(bound)]);
}

function subUnbind(devices: Devices, r: CRequest<"C25">): Result<Handled, CRequestError> {
  const found = subDevice(devices, r.gwId, r.deviceSN);
  if (!found.ok) return found;
  const device = found.value;
  if (!device.bound)
    return fail(unknownDevice("deviceSN", r.deviceSN, "not bound to the smart-home platform"));
  const wrongType = checkType(device, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  const left = notification("C14", device, { gwId: r.gwId, deviceType: device.deviceType });
  return done([{ ...device, bound: false }], {}, [left]);
}

function control(devices: Devices, r: CRequest<"C28">): Result<Handled, CRequestError> {
  const found = boundDevice(devices, r.deviceSN);
  if (!found.ok) return found;
  const wrongType = checkType(found.value, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  // The spec has no code for an offline device: 9999 (失败), the device cannot carry the command out.
  if (!found.value.online)
    return fail(new CRequestError("FAILURE", "deviceSN: the device is offline", "deviceSN"));
  const applied = applyControl(found.value, r.serialId, r.cmds);
  if (!applied.ok) return applied;
  const { device, serials, events } = applied.value;
  const result = statusList(device, serials);
  // 7.2 step 4: the state change goes back to the smart-home platform (C16), then the events it raised (C18).
  const notes = [notification("C16", device, { deviceType: device.deviceType, status: result })];
  for (const eventName of events)
    notes.push(
      notification("C18", device, {
        deviceType: device.deviceType,
        event: [{ serialId: serials[0] ?? "0", eventName, eventInfo: [{ TYPE: "REMOTE" }] }],
      }),
    );
  return done([device], { result }, notes);
}

function resManage(devices: Devices, r: CRequest<"C31">): Result<Handled, CRequestError> {
  const found = boundDevice(devices, r.deviceSN);
  if (!found.ok) return found;
  const wrongType = checkType(found.value, r.deviceType);
  if (wrongType !== undefined) return fail(wrongType);
  const resource = r.resource ?? [];
  if (resource.length === 0) return done([]);
  const managed = manageResources(found.value, resource);
  if (!managed.ok) return managed;
  const device = managed.value;
  return done([device], {}, [notification("C17", device, { deviceType: device.deviceType, resource })]);
}

function gateway(devices: Devices, gwId: string): Result<{ gw: TpDevice; subs: TpDevice[] }, CRequestError> {
  const found = boundDevice(devices, gwId, "gwId");
  if (!found.ok) return found;
  if (found.value.kind !== "gateway") return fail(unknownDevice("gwId", gwId, "not a gateway"));
  // 7.3.2.10: the sub-devices that joined the gateway on the third party's side (7.2 step 2), bound or not.
  return ok({ gw: found.value, subs: [...devices.values()].filter((d) => d.gwId === gwId) });
}

const onlineInt = (d: TpDevice) => (d.online ? 1 : 0);

/** Answers C22-C31 on `devices`. */
export function handleCall(
  devices: Devices,
  id: CallId,
  request: CRequest<CallId>,
): Result<Handled, CRequestError> {
  switch (id) {
    case "C22":
      return bind(devices, request as CRequest<"C22">);
    case "C23":
      return unbind(devices, request as CRequest<"C23">);
    case "C24":
      return subBind(devices, request as CRequest<"C24">);
    case "C25":
      return subUnbind(devices, request as CRequest<"C25">);
    case "C26":
    case "C27": {
      const r = request as CRequest<"C26">;
      const found = boundDevice(devices, r.deviceSN);
      if (!found.ok) return found;
      const wrongType = checkType(found.value, r.deviceType);
      if (wrongType !== undefined) return fail(wrongType);
      const d = found.value;
      return done(
        [],
        id === "C26" ? { online: onlineInt(d) } : { status: statusList(d), ...withResources(d) },
      );
    }
    case "C28":
      return control(devices, request as CRequest<"C28">);
    case "C31":
      return resManage(devices, request as CRequest<"C31">);
    case "C29": {
      const found = gateway(devices, (request as CRequest<"C29">).gwId);
      if (!found.ok) return found;
      const { gw, subs } = found.value;
      const list = subs.map((s) => ({
        deviceSN: s.deviceSN,
        deviceType: s.deviceType,
        online: onlineInt(s),
      }));
      return done([], { gwId: gw.deviceSN, deviceType: gw.deviceType, online: onlineInt(gw), devices: list });
    }
    case "C30": {
      const found = gateway(devices, (request as CRequest<"C30">).gwId);
      if (!found.ok) return found;
      const { gw, subs } = found.value;
      const list = subs.map((s) => ({
        deviceSN: s.deviceSN,
        deviceType: s.deviceType,
        status: statusList(s),
        ...withResources(s),
      }));
      return done([], {
        gwId: gw.deviceSN,
        deviceType: gw.deviceType,
        status: statusList(gw),
        ...withResources(gw),
        devices: list,
      });
    }
  }
}
