import type { FleetPlan, PlannedDevice } from "../fleet/fleet-plan.ts";
import type { Profile } from "../profiles/schema.ts";
import type { ShardAssignment } from "./farm-messages.ts";

/** Splits the fleet into `n` contiguous shards of nearly equal size. */
export function splitFleet(devices: PlannedDevice[], n: number): PlannedDevice[][] {
  const shards: PlannedDevice[][] = [];
  for (let i = 0; i < n; i++)
    shards.push(
      devices.slice(Math.floor((i * devices.length) / n), Math.floor(((i + 1) * devices.length) / n)),
    );
  return shards;
}

function profilesOf(devices: PlannedDevice[]): Record<string, Profile> {
  const out: Record<string, Profile> = {};
  const visit = (d: PlannedDevice) => {
    out[d.profileName] = d.profile;
    d.subDevices.forEach(visit);
  };
  devices.forEach(visit);
  return out;
}

function wireDevice(d: PlannedDevice): ShardAssignment["devices"][number] {
  return {
    deviceId: d.deviceId,
    pin: d.pin,
    profileName: d.profileName,
    ...(Object.keys(d.misbehaviour).length === 0
      ? {}
      : { misbehaviour: d.misbehaviour as Record<string, boolean | number> }),
    ...(d.subDevices.length === 0 ? {} : { subDevices: d.subDevices.map(wireDevice) }),
  };
}

export interface ShardingInputs {
  runId: string;
  plan: FleetPlan;
  shards: number;
  loginAddress: string;
  profile: { rampPerSecond: number; churnPerSecond: number; faults?: string };
}

/**
 * The assignment of each shard, as a worker receives it: its devices, and its share of the fleet's ramp and churn
 * rates (a shard's ramp never falls to zero, or its devices would never power on).
 */
export function shardAssignments(inputs: ShardingInputs): ShardAssignment[] {
  const { plan, profile } = inputs;
  const total = plan.devices.length;
  const profiles = profilesOf(plan.devices);
  return splitFleet(plan.devices, inputs.shards).map((devices, shard) => {
    const share = total === 0 ? 0 : devices.length / total;
    return {
      runId: inputs.runId,
      shard,
      loginAddress: inputs.loginAddress,
      transport: plan.transport,
      seed: plan.seed,
      rampPerSecond: Math.max(0.1, profile.rampPerSecond * share),
      churnPerSecond: profile.churnPerSecond * share,
      ...(profile.faults === undefined ? {} : { faults: profile.faults }),
      profiles,
      devices: devices.map(wireDevice),
    };
  });
}
