import { showValue, UsageError } from "../../harness/errors.ts";
import type { CRequest } from "../../harness/protocol/c/interfaces.ts";
import type { Profile } from "../profiles/schema.ts";

/**
 * The emulated third party's own devices, made from hilfarm's device profiles (the same data the Mc emulated devices
 * run on): a device or gateway connects to the third party itself, a sub-device sits behind one of its gateways.
 * Records are immutable: the state machine replaces a record when it changes.
 */

export type StatusInfo = CRequest<"C16">["status"][number];
export type ResourceList = NonNullable<CRequest<"C16">["resource"]>[number];
export type ResourceEntry = Record<string, string>;

export interface TpDevice {
  readonly deviceSN: string;
  /** 7.3: `deviceType`, the product model id: the profile's `model`. */
  readonly deviceType: string;
  /** The profile's name (its file name without `.json`). */
  readonly profileName: string;
  readonly profile: Profile;
  readonly kind: Profile["kind"];
  /** The gateway a sub-device sits behind. */
  readonly gwId?: string;
  readonly online: boolean;
  /** 7.2 step 3: bound to the smart-home platform by C22 (C24 for a sub-device); only then is it reported. */
  readonly bound: boolean;
  /** `status[serialId][name] = value`. */
  readonly status: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `resources[serialId][resName] = entries`. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, readonly ResourceEntry[]>>>>;
}

/** How many devices of which profile; a gateway entry carries its sub-devices' mix. */
export interface TpDeviceSpec {
  profile: string;
  count: number;
}
export interface TpGatewaySpec extends TpDeviceSpec {
  subDevices?: TpDeviceSpec[];
}

export interface TpFleetSpec {
  devices?: readonly TpDeviceSpec[];
  gateways?: readonly TpGatewaySpec[];
  /** Start of every `deviceSN` (default `TP`): `TP-air-conditioner-0001`. */
  snPrefix?: string;
}

function profileOf(profiles: ReadonlyMap<string, Profile>, name: string, field: string): Profile {
  const profile = profiles.get(name);
  if (profile === undefined)
    throw new UsageError(
      field,
      `${field}: no profile ${showValue(name)} (known: ${[...profiles.keys()].join(", ")})`,
    );
  return profile;
}

export function newDevice(deviceSN: string, profileName: string, profile: Profile, gwId?: string): TpDevice {
  return {
    deviceSN,
    deviceType: profile.model,
    profileName,
    profile,
    kind: profile.kind,
    ...(gwId === undefined ? {} : { gwId }),
    // An emulated device has been set up on the third party (7.2 step 2) and is connected to it.
    online: true,
    bound: false,
    status: structuredClone(profile.serials),
    resources: structuredClone(profile.resources),
  };
}

/**
 * The devices of a fleet spec, in order: devices, then each gateway followed by its sub-devices. SNs are numbered
 * per profile from 1, so the same spec gives the same SNs on every run.
 */
export function makeDevices(profiles: ReadonlyMap<string, Profile>, spec: TpFleetSpec): TpDevice[] {
  const prefix = spec.snPrefix ?? "TP";
  const numbers = new Map<string, number>();
  const sn = (name: string) => {
    const n = (numbers.get(name) ?? 0) + 1;
    numbers.set(name, n);
    return `${prefix}-${name}-${String(n).padStart(4, "0")}`;
  };
  const out: TpDevice[] = [];
  (spec.devices ?? []).forEach(({ profile: name, count }, i) => {
    const profile = profileOf(profiles, name, `devices.${i}.profile`);
    if (profile.kind === "sub-device")
      throw new UsageError(
        `devices.${i}.profile`,
        `devices.${i}.profile: ${name} is a sub-device: list it under a gateway's subDevices`,
      );
    for (let k = 0; k < count; k++) out.push(newDevice(sn(name), name, profile));
  });
  (spec.gateways ?? []).forEach(({ profile: name, count, subDevices = [] }, i) => {
    const profile = profileOf(profiles, name, `gateways.${i}.profile`);
    if (profile.kind !== "gateway")
      throw new UsageError(`gateways.${i}.profile`, `gateways.${i}.profile: ${name} is no gateway`);
    for (let k = 0; k < count; k++) {
      const gateway = newDevice(sn(name), name, profile);
      out.push(gateway);
      subDevices.forEach(({ profile: subName, count: subCount }, j) => {
        const field = `gateways.${i}.subDevices.${j}.profile`;
        const sub = profileOf(profiles, subName, field);
        if (sub.kind !== "sub-device") throw new UsageError(field, `${field}: ${subName} is no sub-device`);
        for (let m = 0; m < subCount; m++) out.push(newDevice(sn(subName), subName, sub, gateway.deviceSN));
      });
    }
  });
  return out;
}

/** Every status of the serials named (all by default) as StatusInfo (7.3.2.7). */
export function statusList(
  device: TpDevice,
  serials: readonly string[] = Object.keys(device.status),
): StatusInfo[] {
  return serials.flatMap((serialId) =>
    Object.entries(device.status[serialId] ?? {}).map(([name, value]) => ({ serialId, name, value })),
  );
}

/** Every resource as ResourceList (7.3.2.7), or `undefined` when the device has none. */
export function resourceList(device: TpDevice): ResourceList[] | undefined {
  const lists = Object.entries(device.resources).flatMap(([serialId, byName]) =>
    Object.entries(byName).map(([resName, entries]) => ({
      serialId,
      resName,
      resInfo: entries.map((e) => ({ ...e })),
    })),
  );
  return lists.length === 0 ? undefined : lists;
}

/** `resource` when the device has resources, nothing otherwise (the field is optional in 7.3.1.6 and 7.3.2.7). */
export function withResources(device: TpDevice): { resource?: ResourceList[] } {
  const resource = resourceList(device);
  return resource === undefined ? {} : { resource };
}
