/**
 * One case of bench/plan.bench.ts, in a process of its own, its TypeScript made JavaScript as `hilfarm` makes its own
 * (bin/ts-hooks.mjs, with the options of bin/strip-options.mjs):
 * `node --import ./bench/hilfarm-hooks.mjs bench/plan-case.ts <checkout> <case> <file>` imports `<checkout>`'s
 * modules, runs the case once on `<file>` and prints `{"ms":N,"cpuMs":N,"heapMiB":N,"devices":N}`:
 * - `plan`: `loadFleetPlan(<fleet file>)`, as `hilfarm load`, `up` and `registry --fleet` expand a fleet;
 * - `registry`: `loadRegistry(<registry file>)`, as every `hilfarm platform --registry` reads one at its start;
 * - `shard`: a worker's shard assignment (JSON) checked and its devices built (`ShardRunner`, not started), as
 *   `hilfarm worker` does when the coordinator hands it a shard.
 */
import { readFile } from "node:fs/promises";
import { pino } from "pino";

const [checkout, which, file] = process.argv.slice(2) as [string, string, string];
const from = (module: string) => import(`${checkout}/${module}`);

async function caseOf(name: string): Promise<(file: string) => Promise<{ devices: number }>> {
  if (name === "plan") {
    const { loadFleetPlan } = await from("emulators/fleet/load-fleet.ts");
    return async (f) => {
      const plan = await loadFleetPlan(f);
      return { devices: plan.devices.length, plan };
    };
  }
  if (name === "registry") {
    const { loadRegistry } = await from("emulators/platform/registry/index.ts");
    return async (f) => {
      const registry = await loadRegistry(f);
      return { devices: registry.size, registry };
    };
  }
  if (name !== "shard")
    throw new Error(`bench/plan-case.ts: the case must be plan, registry or shard, got ${name}`);
  const { ShardAssignmentSchema } = await from("emulators/farm/farm-messages.ts");
  const { ShardRunner } = await from("emulators/farm/shard-runner.ts");
  const { VirtualClock } = await from("harness/clock/virtual-clock.ts");
  const logger = pino({ level: "silent" });
  return async (f) => {
    const assignment = ShardAssignmentSchema.parse(JSON.parse(await readFile(f, "utf8")));
    const runner = new ShardRunner({ assignment, logger, clock: new VirtualClock() });
    return { devices: runner.devices, runner };
  };
}

const run = await caseOf(which);
const cpu = process.cpuUsage();
const started = performance.now();
// The result stays referenced until the heap is read: what it keeps is counted.
const result = await run(file);
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
console.log(JSON.stringify({ ms, cpuMs: (user + system) / 1000, heapMiB, devices: result.devices }));
