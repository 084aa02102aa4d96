/**
 * Devices one local worker process holds at most. Each device holds one descriptor at a time (its login's TCP
 * connection, then its session's TCP connection or UDP socket), and a process may hold 20,000: this leaves 3,000 for
 * the worker's own and for a connection still closing beside its successor. Fewer, larger workers spend less on
 * compiling and hold less memory per device: every process compiles the device code for itself (docs/benchmarks.md,
 * "Fewer, larger workers").
 */
export const DEVICES_PER_LOCAL_WORKER = 17_000;

/**
 * Local workers for a fleet: one per core, more when the devices need them, and a whole number per platform process
 * (each platform process serves the devices of whole shards, one shard per worker).
 */
export function localWorkersFor(fleet: {
  devices: number;
  platformProcesses: number;
  cores: number;
}): number {
  const needed = Math.max(fleet.cores, Math.ceil(fleet.devices / DEVICES_PER_LOCAL_WORKER), 1);
  return Math.ceil(needed / fleet.platformProcesses) * fleet.platformProcesses;
}
