import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { fleetRegistry } from "../fleet/fleet-plan.ts";
import { loadFleetPlan } from "../fleet/load-fleet.ts";
import type { Platform } from "../platform/platform.ts";
import { Registry } from "../platform/registry/index.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import { shardAssignments } from "./farm-shards.ts";
import { ShardRunner } from "./shard-runner.ts";

let platform: Platform | undefined;
let runner: ShardRunner | undefined;

afterEach(async () => {
  runner?.stop();
  await platform?.close();
  platform = undefined;
  runner = undefined;
});

describe("a shard's churn", () => {
  it("power-cycles devices only once the run is steady, so a ramp that is still logging in is left alone", async () => {
    const fleet = join(await mkdtemp(join(tmpdir(), "hilfarm-shard-")), "fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({
        seed: 3,
        devices: [{ profile: "three-gang-switch", count: 6 }],
        transport: "tcp",
        lan: { enabled: false },
      }),
    );
    const plan = await loadFleetPlan(fleet);
    const clock = new VirtualClock();
    platform = await startTestPlatform(clock, { registry: Registry.fromDevices(fleetRegistry(plan)) });
    const [assignment] = shardAssignments({
      runId: "r",
      plan,
      shards: 1,
      loginAddress: platform.addresses.login,
      profile: { rampPerSecond: 100, churnPerSecond: 3 },
    });
    if (assignment === undefined) throw new Error("no shard");
    runner = new ShardRunner({ assignment, logger: pino({ level: "silent" }), clock });
    runner.start();
    const churned = () => runner?.snapshot().errors["churn-power-cycle"] ?? 0;
    await clock.advanceAsync(20_000);
    expect({ online: runner.observer.online, churned: churned() }).toEqual({ online: 6, churned: 0 });
    runner.observer.beginSteady();
    await clock.advanceAsync(3_000);
    expect(churned()).toBeGreaterThan(0);
  });
});
