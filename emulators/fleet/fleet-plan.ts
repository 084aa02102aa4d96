import { UsageError } from "../../harness/errors.ts";
import { ALPHANUMERIC, seededRandom } from "../../harness/random/random.ts";
import type { Misbehaviour } from "../device/misbehaviour.ts";
import type { RegisteredDevice, Registry } from "../platform/registry/index.ts";
import type { Profile } from "../profiles/schema.ts";
import type { FleetFile, RealDevice } from "./fleet-file.ts";

export interface PlannedDevice {
  deviceId: string;
  pin: string;
  profileName: string;
  profile: Profile;
  /** Sub-devices, for a gateway. */
  subDevices: PlannedDevice[];
  /** Fault switches set at start. */
  misbehaviour: Partial<Misbehaviour>;
}

export interface FleetPlan {
  seed: number;
  transport: "auto" | "tcp" | "udp";
  devices: PlannedDevice[];
  /** What the fleet file says of the LAN sides, if anything. */
  lan?: { enabled: boolean; host?: string | undefined; ports?: "free" | "standard" | undefined };
  /** Real devices beside the emulated ones (a mixed fleet): the platform knows them; nothing here emulates them. */
  real?: RealDevice[];
}

/**
 * Expands a fleet file into devices with ids and PINs: device N gets the same id and PIN on every run with the
 * same seed; or, with `registry`, the next unused registry entry of the profile's model.
 */
export function planFleet(
  fleet: FleetFile,
  profiles: ReadonlyMap<string, Profile>,
  registry?: Registry,
): FleetPlan {
  const random = seededRandom(fleet.seed);
  const prefix = random.string(8, "0123456789abcdef");
  let index = 0;
  const unused = registry === undefined ? undefined : unusedByModel(registry);

  const profileOf = (name: string, kinds: Profile["kind"][]): Profile => {
    const profile = profiles.get(name);
    if (profile === undefined) {
      throw new UsageError(
        "fleet",
        `fleet: no profile named ${JSON.stringify(name)} (known: ${[...profiles.keys()].join(", ")})`,
      );
    }
    if (!kinds.includes(profile.kind)) {
      throw new UsageError(
        "fleet",
        `fleet: profile ${name} is a ${profile.kind}, not a ${kinds.join(" or ")}`,
      );
    }
    return profile;
  };

  const planned = (
    profileName: string,
    profile: Profile,
    parentId: string | undefined,
    misbehaviour: unknown,
  ): PlannedDevice => {
    let deviceId: string;
    let pin: string;
    if (unused !== undefined) {
      const entry = unused.take(profile.model, parentId);
      if (entry === undefined) {
        const where = parentId === undefined ? "" : ` under gateway ${parentId}`;
        throw new UsageError("fleet", `registry has no unused device of model ${profile.model}${where}`);
      }
      ({ deviceId, pin } = entry);
    } else {
      deviceId = `${prefix}${(index++).toString(16).padStart(16, "0")}`;
      pin = random.fork(`pin/${deviceId}`).string(32, ALPHANUMERIC);
    }
    // Field by field: a literal that starts with a spread gets a hidden class of its own per object.
    return {
      deviceId,
      pin,
      profileName,
      profile,
      subDevices: [],
      misbehaviour: (misbehaviour ?? {}) as Partial<Misbehaviour>,
    };
  };

  const devices: PlannedDevice[] = [];
  for (const entry of fleet.devices) {
    const profile = profileOf(entry.profile, ["device"]);
    for (let i = 0; i < entry.count; i++)
      devices.push(planned(entry.profile, profile, undefined, entry.misbehaviour));
  }
  for (const entry of fleet.gateways) {
    const profile = profileOf(entry.profile, ["gateway"]);
    for (let i = 0; i < entry.count; i++) {
      const gateway = planned(entry.profile, profile, undefined, entry.misbehaviour);
      for (const subEntry of entry.subDevices) {
        const subProfile = profileOf(subEntry.profile, ["sub-device"]);
        for (let j = 0; j < subEntry.count; j++)
          gateway.subDevices.push(planned(subEntry.profile, subProfile, gateway.deviceId, {}));
      }
      devices.push(gateway);
    }
  }
  return {
    seed: fleet.seed,
    transport: fleet.transport,
    devices,
    ...(fleet.lan === undefined ? {} : { lan: fleet.lan }),
    ...(fleet.real.length === 0 ? {} : { real: checkedReal(fleet.real, devices) }),
  };
}

/**
 * A registry's entries not yet given to a device, by model and gateway, each in file order: a fleet takes the first
 * unused entry of its profile's model (under its gateway, for a sub-device) in one look-up, not a scan per device.
 */
function unusedByModel(registry: Registry): {
  take(model: string, parentId: string | undefined): RegisteredDevice | undefined;
} {
  const queues = new Map<string, { entries: RegisteredDevice[]; next: number }>();
  const keyOf = (model: string, parentId: string | undefined) => JSON.stringify([model, parentId ?? null]);
  for (const entry of registry.all()) {
    if (entry.model === undefined) continue;
    const key = keyOf(entry.model, entry.parentId);
    const queue = queues.get(key);
    if (queue === undefined) queues.set(key, { entries: [entry], next: 0 });
    else queue.entries.push(entry);
  }
  return {
    take(model, parentId) {
      const queue = queues.get(keyOf(model, parentId));
      if (queue === undefined || queue.next === queue.entries.length) return undefined;
      return queue.entries[queue.next++];
    },
  };
}

/** Real devices whose ids are their own: not an emulated device's, not another real one's. */
function checkedReal(real: RealDevice[], devices: readonly PlannedDevice[]): RealDevice[] {
  const taken = new Set(devices.flatMap((d) => [d.deviceId, ...d.subDevices.map((s) => s.deviceId)]));
  real.forEach((device, i) => {
    if (taken.has(device.deviceId))
      throw new UsageError(
        "fleet",
        `real.${i}.deviceId: ${JSON.stringify(device.deviceId)} is already a device of the fleet`,
      );
    taken.add(device.deviceId);
  });
  return real;
}

/** The registry entries of a mixed fleet's real devices: first in every registry made from the fleet. */
function realEntries(plan: FleetPlan): RegisteredDevice[] {
  return (plan.real ?? []).map(({ deviceId, pin, model }) => ({
    deviceId,
    pin,
    ...(model === undefined ? {} : { model }),
  }));
}

/** The registry the platform needs for this fleet, so both sides agree. */
export function fleetRegistry(plan: FleetPlan): RegisteredDevice[] {
  return realEntries(plan).concat(
    plan.devices.flatMap((d) => [
      { deviceId: d.deviceId, pin: d.pin, model: d.profile.model },
      ...d.subDevices.map((s) => ({
        deviceId: s.deviceId,
        pin: s.pin,
        model: s.profile.model,
        parentId: d.deviceId,
      })),
    ]),
  );
}

/** The registry as the JSON file format `hilfarm platform --registry` reads. */
export function fleetRegistryJson(plan: FleetPlan): string {
  const emulated = plan.devices.map((d) => ({
    deviceId: d.deviceId,
    pin: d.pin,
    model: d.profile.model,
    ...(d.subDevices.length === 0
      ? {}
      : {
          subDevices: d.subDevices.map((s) => ({ deviceId: s.deviceId, pin: s.pin, model: s.profile.model })),
        }),
  }));
  return `${JSON.stringify({ devices: [...realEntries(plan), ...emulated] }, null, 2)}\n`;
}
