import { descriptorLimit } from "../../emulators/platform/limits.ts";

/**
 * Devices one local worker process holds at most, where a process may open 20,000 files or more. Each device holds
 * one descriptor at a time (its login's TCP connection, then its session's TCP connection or UDP socket); fewer,
 * larger workers spend less on compiling and hold less memory per device, since every process compiles the device
 * code for itself (docs/benchmarks.md, "Fewer, larger workers").
 */
export const DEVICES_PER_LOCAL_WORKER = 17_000;

/** The share of its open-file limit a worker gives its devices; the rest is for its own and for closing connections. */
const DESCRIPTOR_SHARE = 0.85;

/** `devicesPerWorker`'s rule in words, for the commands' help. */
export const DEVICES_PER_WORKER_RULE = `${DESCRIPTOR_SHARE * 100} % of the open-file limit, at most ${DEVICES_PER_LOCAL_WORKER.toLocaleString("en-US")}`;

/**
 * Devices a worker holds under a limit of `descriptors` open files (`ulimit -n`, which the workers inherit): 85 % of
 * it, the rest for the worker's own and for connections still closing beside their successors (3,000 of 20,000), and
 * at most `DEVICES_PER_LOCAL_WORKER`.
 */
export function devicesPerWorker(descriptors = descriptorLimit()): number {
  if (descriptors === undefined) return DEVICES_PER_LOCAL_WORKER;
  return Math.max(1, Math.min(DEVICES_PER_LOCAL_WORKER, Math.floor(descriptors * DESCRIPTOR_SHARE)));
}

/**
 * Local workers for a fleet: one per core, more when the devices need them (`perWorker` each), and a whole number
 * per platform process (each platform process serves the devices of whole shards, one shard per worker).
 */
export function localWorkersFor(fleet: {
  devices: number;
  platformProcesses: number;
  cores: number;
  perWorker?: number;
}): number {
  const perWorker = fleet.perWorker ?? devicesPerWorker();
  const needed = Math.max(fleet.cores, Math.ceil(fleet.devices / perWorker), 1);
  return Math.ceil(needed / fleet.platformProcesses) * fleet.platformProcesses;
}
