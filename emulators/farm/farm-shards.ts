import type { FleetPlan, PlannedDevice } from "../fleet/fleet-plan.ts";
import type { Profile } from "../profiles/schema.ts";
import type { ShardAssignment } from "./farm-messages.ts";
import type { RampHold } from "./ramp-pacing.ts";

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

/**
 * The platform (of `platforms`) that serves shard `shard` of `shards`: each platform takes a run of whole shards,
 * as even as the counts allow (every platform gets one when there are at least as many shards as platforms).
 */
function platformOfShard(shard: number, shards: number, platforms: number): number {
  return Math.floor((shard * platforms) / shards);
}

/** The devices each platform serves: those of its shards (`platformOfShard`), in fleet order. */
export function platformShares(
  devices: PlannedDevice[],
  shards: number,
  platforms: number,
): PlannedDevice[][] {
  const shares: PlannedDevice[][] = Array.from({ length: platforms }, () => []);
  splitFleet(devices, shards).forEach((shard, i) => {
    shares[platformOfShard(i, shards, platforms)]?.push(...shard);
  });
  return shares;
}

export interface ShardingInputs {
  runId: string;
  plan: FleetPlan;
  shards: number;
  /** Login servers, one per platform process; shard i logs in to that of `platformOfShard(i, ...)`. */
  loginAddresses: readonly string[];
  profile: { rampPerSecond: number; churnPerSecond: number; rampHold?: RampHold; faults?: string };
}

/**
 * The assignment of each shard, as a worker receives it: its devices, and its share of the fleet's ramp and churn
 * rates (a shard's ramp never falls to zero, or its devices would never power on).
 */
export function shardAssignments(inputs: ShardingInputs): ShardAssignment[] {
  const { plan, profile } = inputs;
  const total = plan.devices.length;
  const profiles = profilesOf(plan.devices);
  const { loginAddresses } = inputs;
  const loginAddressOf = (shard: number) => {
    const address = loginAddresses[platformOfShard(shard, inputs.shards, loginAddresses.length)];
    if (address === undefined) throw new Error("shardAssignments needs at least one login address");
    return address;
  };
  return splitFleet(plan.devices, inputs.shards).map((devices, shard) => {
    const share = total === 0 ? 0 : devices.length / total;
    return {
      runId: inputs.runId,
      shard,
      loginAddress: loginAddressOf(shard),
      transport: plan.transport,
      seed: plan.seed,
      rampPerSecond: Math.max(0.1, profile.rampPerSecond * share),
      churnPerSecond: profile.churnPerSecond * share,
      ...(profile.rampHold === undefined ? {} : { rampHold: profile.rampHold }),
      ...(profile.faults === undefined ? {} : { faults: profile.faults }),
      profiles,
      devices: devices.map(wireDevice),
    };
  });
}
