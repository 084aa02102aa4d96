import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../../harness/clock/clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { fleetRegistry } from "../fleet/fleet-plan.ts";
import { loadFleetPlan } from "../fleet/load-fleet.ts";
import type { Platform } from "../platform/platform.ts";
import { Registry } from "../platform/registry/index.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import { ShardAssignmentSchema } from "./farm-messages.ts";
import { shardAssignments } from "./farm-shards.ts";
import { plannedDevicesOf, ShardRunner } from "./shard-runner.ts";

let platform: Platform | undefined;
let runner: ShardRunner | undefined;

afterEach(async () => {
  runner?.stop();
  await platform?.close();
  platform = undefined;
  runner = undefined;
});

/**
 * The virtual clock as a worker that ran behind reads it: its present `behindMs` past the turn of its timers, as when
 * a worker's process waited for a core and wakes to find its wheel's ticks overdue.
 */
class BehindClock implements Clock {
  behindMs = 0;
  constructor(private readonly clock: VirtualClock) {}
  now = () => this.clock.now() + this.behindMs;
  setTimeout: Clock["setTimeout"] = (callback, delayMs, name) =>
    this.clock.setTimeout(callback, delayMs, name);
  setInterval: Clock["setInterval"] = (callback, periodMs, name) =>
    this.clock.setInterval(callback, periodMs, name);
  realWork: Clock["realWork"] = (name, work) => this.clock.realWork(name, work);
}

/** A shard of `count` switches against a platform on `clock`, ramped and churned at the given rates. */
async function startShard(
  clock: VirtualClock,
  count: number,
  profile: { rampPerSecond: number; churnPerSecond: number },
  runnerClock: Clock = clock,
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
  const started = new ShardRunner({ assignment, logger: pino({ level: "silent" }), clock: runnerClock });
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
    // On a virtual clock the worker is never behind: its ramp is never held.
    expect(shard.snapshot().rampHeldMs).toBe(0);
  });

  it("holds at the ticks its wheel fires more than 100 ms late, and makes them up once the wheel is on time", async () => {
    const clock = new VirtualClock();
    const behind = new BehindClock(clock);
    const shard = await startShard(clock, 40, { rampPerSecond: 100, churnPerSecond: 0 }, behind);
    await clock.advanceAsync(3 * shard.wheel.tickMs);
    expect(shard.snapshot().poweredOn).toBe(6);
    // The worker wakes 300 ms behind: its wheel walks 16 ticks at once (15 it missed and the present one), the first nine
    // 120-280 ms late.
    behind.behindMs = 300;
    await clock.advanceAsync(shard.wheel.tickMs);
    const caughtUp = shard.snapshot();
    // Two a tick at every tick would be 32 more; the late ticks powered none on, the last ones fewer than 4 each.
    expect(caughtUp.poweredOn).toBeGreaterThan(6);
    expect(caughtUp.poweredOn).toBeLessThan(6 + 2 * 16);
    expect(caughtUp.rampHeldMs).toBeGreaterThan(0);
    // On time again, the ramp makes up what it held back at a quarter over its rate, never in a burst.
    await clock.advanceAsync(shard.wheel.tickMs);
    expect(shard.snapshot().poweredOn - caughtUp.poweredOn).toBeOneOf([2, 3]);
    await clock.advanceAsync(20 * shard.wheel.tickMs);
    expect(shard.snapshot().poweredOn).toBe(40);
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

describe("a shard's planned devices", () => {
  it("share their profile's name and, when they have none, one empty set of switches and of sub-devices", async () => {
    const fleet = join(await mkdtemp(join(tmpdir(), "hilfarm-shard-")), "fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({
        seed: 3,
        devices: [
          { profile: "three-gang-switch", count: 2 },
          { profile: "air-conditioner", count: 1, misbehaviour: { skipHeartbeats: true } },
        ],
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] },
        ],
        lan: { enabled: false },
      }),
    );
    const plan = await loadFleetPlan(fleet);
    const [wire] = shardAssignments({
      runId: "r",
      plan,
      shards: 1,
      loginAddresses: ["127.0.0.1:1"],
      profile: { rampPerSecond: 1, churnPerSecond: 0 },
    });
    if (wire === undefined) throw new Error("no shard");
    // As a worker gets it: parsed from the broker's JSON, every string and object its own.
    const assignment = ShardAssignmentSchema.parse(JSON.parse(JSON.stringify(wire)));
    const planned = plannedDevicesOf(assignment);
    const byProfile = (name: string) => planned.filter((d) => d.profileName === name);
    const [a, b] = byProfile("three-gang-switch");
    const [ac] = byProfile("air-conditioner");
    const [gateway] = byProfile("zigbee-gateway");
    if (a === undefined || b === undefined || ac === undefined || gateway === undefined)
      throw new Error("a planned device is missing");
    expect(a.misbehaviour).toBe(b.misbehaviour);
    expect(a.misbehaviour).toEqual({});
    expect(Object.isFrozen(a.misbehaviour)).toBe(true);
    expect(a.subDevices).toBe(b.subDevices);
    expect(a.subDevices).toEqual([]);
    expect(a.profile).toBe(b.profile);
    // The fleet's own settings are kept as they came.
    expect(ac.misbehaviour).toEqual({ skipHeartbeats: true });
    expect(gateway.subDevices.map((s) => s.profileName)).toEqual(["zigbee-switch"]);
    expect(gateway.subDevices[0]?.subDevices).toBe(a.subDevices);
  });
});
