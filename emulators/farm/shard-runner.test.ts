import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { FleetFileSchema } from "../fleet/fleet-file.ts";
import { fleetRegistry, planFleet } from "../fleet/fleet-plan.ts";
import type { Platform } from "../platform/platform.ts";
import { Registry } from "../platform/registry/index.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import { shippedProfiles } from "../profiles/load.ts";
import { ShardRunner } from "./shard-runner.ts";

const DEVICES = 200;

async function planOf() {
  return planFleet(
    {
      ...FleetFileSchema.parse({ seed: 19, devices: [{ profile: "three-gang-switch", count: DEVICES }] }),
      baseDir: ".",
    },
    await shippedProfiles(),
  );
}

function shardOn(
  clock: VirtualClock,
  platform: Platform,
  plan: Awaited<ReturnType<typeof planOf>>,
): ShardRunner {
  const profile = plan.devices[0]?.profile;
  return new ShardRunner({
    clock,
    logger: pino({ level: "silent" }),
    assignment: {
      runId: "run-1",
      shard: 0,
      loginAddress: platform.addresses.login,
      transport: "udp",
      seed: 19,
      // Every device powered on in the first tick: they all come online at the same instant.
      rampPerSecond: 1_000_000,
      churnPerSecond: 0,
      profiles: { "three-gang-switch": profile },
      devices: plan.devices.map((d) => ({
        deviceId: d.deviceId,
        pin: d.pin,
        profileName: "three-gang-switch",
      })),
    },
  });
}

describe("ShardRunner", () => {
  let close = async () => undefined as unknown;
  afterEach(() => close());

  it("spreads its devices' heartbeats over the interval even when they all came online at once", async () => {
    const clock = new VirtualClock();
    const plan = await planOf();
    const platform = await startTestPlatform(clock, { registry: Registry.fromDevices(fleetRegistry(plan)) });
    const runner = shardOn(clock, platform, plan);
    close = async () => {
      runner.stop();
      await platform.close();
    };
    const beats: number[] = [];
    const observe = runner.observer.deviceEvent.bind(runner.observer);
    runner.observer.deviceEvent = (device, event, arg) => {
      if (event === "frame") {
        const frame = arg as { direction: string; message: { code: number } };
        if (frame.direction === "out" && frame.message.code === 1000) beats.push(clock.now());
      }
      observe(device, event, arg);
    };
    runner.start();
    await clock.runUntil(() => runner.observer.online === DEVICES, { maxMs: 60_000 });
    const onlineAt = clock.now();
    const intervalMs = 30_000;
    await clock.advanceAsync(intervalMs);
    const firstRound = beats.filter((at) => at > onlineAt && at <= onlineAt + intervalMs);
    expect(firstRound).toHaveLength(DEVICES);
    // In wheel ticks (20 ms): one interval has 1,500. Bunched at the connect they would share one or two.
    const ticks = new Set(firstRound.map((at) => Math.floor(at / runner.wheel.tickMs)));
    expect(ticks.size).toBeGreaterThan(DEVICES * 0.8);
    // And every device beats once per interval after its first.
    await clock.advanceAsync(intervalMs);
    expect(beats.filter((at) => at > onlineAt + intervalMs)).toHaveLength(DEVICES);
  });
});
