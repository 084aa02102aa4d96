/**
 * Bytes allocated per heartbeat round trip in the platform and in a worker: `hilfarm load` with BENCH_ALLOC_DEVICES
 * (default 2,000) three-gang switches over TCP heartbeating every second, the reference platform as a process and one
 * worker, each process sampling its allocations (V8's sampling heap profiler every 512 bytes, objects already
 * collected counted too; bench/frame-cost/heap-sampler.mjs) for BENCH_ALLOC_SECONDS (default 10) from 14 s after it
 * starts, once every device is online and beating. Garbage is what the collector works through: this is the figure
 * behind the GC share of `npm run bench:cost`'s (c). A sampling profile is good to about 5 %.
 *   npm run bench:alloc
 * Loopback only, bounded. Writes the `Allocation per round trip` section of docs/benchmarks.md.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { bytesOf, sampledProfilesIn } from "./frame-cost/allocation-sites.ts";
import { drain, stopped, untilEvent } from "./frame-cost/child-processes.ts";
import { startHeartbeatLoad } from "./frame-cost/heartbeat-load.ts";
import { machineDescription } from "./made-by.ts";
import { wholeNumberSetting } from "./settings.ts";

const DEVICES = wholeNumberSetting("BENCH_ALLOC_DEVICES", 2000, 19_000);
const SECONDS = wholeNumberSetting("BENCH_ALLOC_SECONDS", 10, 60);
const FROM_S = 14;
const root = fileURLToPath(new URL("..", import.meta.url));

const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-alloc-"));
try {
  process.env.HILFARM_NODE_FLAGS = `--import ${join(root, "bench/frame-cost/heap-sampler.mjs")}`;
  process.env.BENCH_ALLOC_DIR = dir;
  process.env.BENCH_ALLOC_FROM_S = String(FROM_S);
  process.env.BENCH_ALLOC_SECONDS = String(SECONDS);
  const steadyS = FROM_S + SECONDS + 6;
  const load = await startHeartbeatLoad({ checkout: root, dir, devices: DEVICES, heartbeatS: 1, steadyS });
  await untilEvent(load.lines, "load-started");
  drain(load.lines);
  await stopped(load.child);
  // Every device beats once a second: the window's round trips.
  const roundTrips = DEVICES * SECONDS;
  const perRole: Record<string, number> = {};
  for (const { role, head } of await sampledProfilesIn(dir))
    perRole[role] = (perRole[role] ?? 0) + bytesOf(head);
  if (perRole.platform === undefined || perRole.worker === undefined)
    throw new Error(
      `no allocation samples from the platform and the worker in ${dir}: did the run reach ${FROM_S + SECONDS} s?`,
    );
  const command = `BENCH_ALLOC_DEVICES=${DEVICES} BENCH_ALLOC_SECONDS=${SECONDS} npm run bench:alloc`;
  const lines = [
    `Made by \`${command}\` (bench/allocation.bench.ts): bytes allocated per heartbeat round trip (1000 + 1001), sampled`,
    `in each process from ${FROM_S} s after its start for ${SECONDS} s (V8's sampling heap profiler, collected objects included; about 5 %),`,
    `divided by the window's ${roundTrips.toLocaleString("en-US")} round trips (${DEVICES.toLocaleString("en-US")} devices over TCP beating every second).`,
    "",
    `Machine: ${machineDescription()}.`,
    "",
    "| process | bytes per round trip |",
    "| --- | ---: |",
    `| platform | ${Math.round(perRole.platform / roundTrips).toLocaleString("en-US")} |`,
    `| worker | ${Math.round(perRole.worker / roundTrips).toLocaleString("en-US")} |`,
  ];
  await writeBenchmarkSection("Allocation per round trip", lines);
  console.log(lines.join("\n"));
} finally {
  await rm(dir, { recursive: true, force: true });
}
