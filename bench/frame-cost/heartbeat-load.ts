import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { node } from "./child-processes.ts";

/**
 * The traffic the per-frame benchmarks measure (bench:cost's (c), bench:paired, bench:alloc): `hilfarm load` of the
 * checkout `checkout`, `devices` three-gang switches over TCP (or `transport: "auto"`, the fleet's default: UDP for
 * the first two logins after power-on, as `bench:farm`; or `"udp"` always) ramped at 1,000/s, heartbeating every
 * `heartbeatS`, one worker, for `steadyS` once ramped. Its fleet file and report go to `dir`. With `churnPerSecond`,
 * that many devices are power-cycled a second once ramped, each logging in again: the logins bench:paired's login
 * mode measures. With `runUnder`, `hilfarm load` runs under that program (bench:instructions: valgrind), with
 * `nodeFlags` before its script (its children take theirs from `HILFARM_NODE_FLAGS`).
 */
export async function startHeartbeatLoad(options: {
  checkout: string;
  dir: string;
  devices: number;
  heartbeatS: number;
  steadyS: number;
  transport?: "tcp" | "auto" | "udp";
  churnPerSecond?: number;
  runUnder?: readonly string[];
  nodeFlags?: readonly string[];
}): Promise<ReturnType<typeof node>> {
  const {
    checkout,
    dir,
    devices,
    heartbeatS,
    steadyS,
    transport = "tcp",
    churnPerSecond,
    runUnder,
    nodeFlags = [],
  } = options;
  const fleet = join(dir, "fleet.json");
  await writeFile(
    fleet,
    JSON.stringify({
      seed: 19,
      transport,
      devices: [{ profile: "three-gang-switch", count: devices }],
    }),
  );
  return node(
    [
      ...nodeFlags,
      join(checkout, "bin/hilfarm.mjs"),
      ...["load", "--fleet", fleet, "--ramp", "1000", "--steady", String(steadyS)],
      ...["--heartbeat", String(heartbeatS), "--workers", "1", "--report-dir", dir],
      ...(churnPerSecond === undefined ? [] : ["--churn", String(churnPerSecond)]),
    ],
    checkout,
    runUnder,
  );
}
