import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
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

/** A shard of `count` switches against a platform on `clock`, ramped and churned at the given rates. */
async function startShard(
  clock: VirtualClock,
  count: number,
  profile: { rampPerSecond: number; churnPerSecond: number },
) {
  const fleet = join(await mkdtemp(join(tmpdir(), "hilfarm-shard-")), "fleet.json");
  await writeFile(
    fleet,
    JSON.stringify({
      seed: 3,
      devices: [{ profile: "three-gang-switch", count }],
      transport: "tcp",
      lan: { enabled: false },
    }),
  );
  const plan = await loadFleetPlan(fleet);
  platform = await startTestPlatform(clock, { registry: Registry.fromDevices(fleetRegistry(plan)) });
  const [assignment] = shardAssignments({
    runId: "r",
    plan,
    shards: 1,
    loginAddresses: [platform.addresses.login],
    profile,
  });
  if (assignment === undefined) throw new Error("no shard");
  const started = new ShardRunner({ assignment, logger: pino({ level: "silent" }), clock });
  runner = started;
  started.start();
  return started;
}

describe("a shard's ramp", () => {
  it("powers devices on at every tick of its wheel, not in batches: devices online together beat together", async () => {
    const clock = new VirtualClock();
    const shard = await startShard(clock, 12, { rampPerSecond: 100, churnPerSecond: 0 });
    const poweredOn: number[] = [];
    for (let tick = 0; tick < 6; tick++) {
      await clock.advanceAsync(shard.wheel.tickMs);
      poweredOn.push(shard.snapshot().poweredOn);
    }
    expect(poweredOn).toEqual([2, 4, 6, 8, 10, 12]);
  });
});

describe("a shard's ramp, timed", () => {
  it("gives its first and last power-on and the moment all its devices were online, by its wheel's clock", async () => {
    const clock = new VirtualClock();
    const shard = await startShard(clock, 12, { rampPerSecond: 100, churnPerSecond: 0 });
    const startedAt = clock.now();
    expect(shard.snapshot()).not.toHaveProperty("firstPowerOnAt");
    await clock.advanceAsync(shard.wheel.tickMs * 3);
    const midway = shard.snapshot();
    expect(midway.firstPowerOnAt).toBe(startedAt + shard.wheel.tickMs);
    expect(midway).not.toHaveProperty("lastPowerOnAt");
    await clock.advanceAsync(5_000);
    const { firstPowerOnAt, lastPowerOnAt, allOnlineAt } = shard.snapshot();
    // Two devices a tick: the twelfth at the sixth tick.
    expect([firstPowerOnAt, lastPowerOnAt]).toEqual([
      startedAt + shard.wheel.tickMs,
      startedAt + 6 * shard.wheel.tickMs,
    ]);
    expect(shard.observer.online).toBe(12);
    expect(allOnlineAt).toBeGreaterThanOrEqual(lastPowerOnAt ?? Number.POSITIVE_INFINITY);
    expect(allOnlineAt).toBeLessThanOrEqual(clock.now());
  });
});

describe("a shard's ramp's end, when the run turns steady first", () => {
  it("still comes when the last device logs in without churn, and never once churn power-cycles devices", async () => {
    const endOf = async (churnPerSecond: number) => {
      const clock = new VirtualClock();
      const shard = await startShard(clock, 6, { rampPerSecond: 1, churnPerSecond });
      await clock.advanceAsync(2_500);
      // Steady before the ramp is done, as a minute after the ramp's planned end does with devices still logging in.
      shard.observer.beginSteady();
      await clock.advanceAsync(20_000);
      const { poweredOn, allOnlineAt } = shard.snapshot();
      runner?.stop();
      await platform?.close();
      runner = undefined;
      platform = undefined;
      return { poweredOn, timed: allOnlineAt !== undefined };
    };
    expect(await endOf(0)).toEqual({ poweredOn: 6, timed: true });
    expect(await endOf(3)).toEqual({ poweredOn: 6, timed: false });
  });
});

describe("a shard's churn", () => {
  it("power-cycles devices only once the run is steady, so a ramp that is still logging in is left alone", async () => {
    const clock = new VirtualClock();
    const shard = await startShard(clock, 6, { rampPerSecond: 100, churnPerSecond: 3 });
    const churned = () => shard.snapshot().errors["churn-power-cycle"] ?? 0;
    await clock.advanceAsync(20_000);
    expect({ online: shard.observer.online, churned: churned() }).toEqual({ online: 6, churned: 0 });
    shard.observer.beginSteady();
    await clock.advanceAsync(3_000);
    expect(churned()).toBeGreaterThan(0);
  });
});

describe("a shard's snapshot", () => {
  it("keeps the most RSS any snapshot saw, beside the RSS of the moment", async () => {
    const clock = new VirtualClock();
    const shard = await startShard(clock, 2, { rampPerSecond: 100, churnPerSecond: 0 });
    const MiB = 2 ** 20;
    const rss = vi.spyOn(process.memoryUsage, "rss");
    try {
      // Far above the process's own RSS when the shard was made (its baseline).
      const seen = [3000, 5000, 4000].map((mib) => {
        rss.mockReturnValue(mib * MiB);
        const { rssBytes, peakRssBytes } = shard.snapshot();
        return [rssBytes / MiB, (peakRssBytes ?? 0) / MiB];
      });
      expect(seen).toEqual([
        [3000, 3000],
        [5000, 5000],
        [4000, 5000],
      ]);
    } finally {
      rss.mockRestore();
    }
  });
});
