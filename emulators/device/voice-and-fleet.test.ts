import { afterEach, describe, expect, it } from "vitest";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { startWorld } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("voice and speech on demand (5.4.3.17-18)", () => {
  it("speaks in segments that share one sequence, and gets the recognised text back", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "air-conditioner", count: 1 }] } });
    const { clock, device } = world;
    const ac = device("air-conditioner");
    ac.powerOn();
    await clock.runUntil(() => ac.state === "online");
    const segments: Array<{ sequence: string; sn: number | undefined; isLast: string | undefined }> = [];
    ac.on("frame", ({ direction, message }) => {
      if (direction === "out" && message.code === 3002) {
        segments.push({
          sequence: message.body.sequence,
          sn: message.body.ctrlParam.sn,
          isLast: message.body.ctrlParam.isLast,
        });
      }
    });
    const answer = await clock.runUntilSettled(ac.speak("把空调调到二十六度", { segmentBytes: 8 }));
    expect(answer).toMatchObject({ result: 0, ctrlResult: { rawText: "把空调调到二十六度" } });
    expect(segments.length).toBe(Math.ceil(Buffer.byteLength("把空调调到二十六度") / 8));
    expect(new Set(segments.map((s) => s.sequence)).size).toBe(1);
    expect(segments.map((s) => s.sn)).toEqual(segments.map((_, i) => i + 1));
    expect(segments.map((s) => s.isLast)).toEqual(
      segments.map((_, i) => (i === segments.length - 1 ? "1" : "0")),
    );
    const speech = await clock.runUntilSettled(ac.synthesize("已为您打开空调"));
    expect(Buffer.from((speech.ttsResult as { audioData: string }).audioData, "base64").toString()).toContain(
      "已为您打开空调",
    );
  });

  it("a late 400002 for an earlier segment does not settle the last segment", async () => {
    let faulty: FaultyConnector | undefined;
    world = await startWorld({
      fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
      connector: (clock: VirtualClock) => {
        faulty = new FaultyConnector(socketConnector(), clock, seededRandom(3));
        return faulty;
      },
    });
    const { clock, platform, device } = world;
    const ac = device("air-conditioner");
    ac.powerOn();
    await clock.runUntil(
      () => ac.state === "online" && platform.store.get(ac.deviceId)?.version.device !== undefined,
    );
    // Answers take 12 s to come back: segment 1 is resent at 10 s, so its answer arrives twice.
    faulty?.set({ latencyMs: 12_000, direction: "down" });
    const answer = await clock.runUntilSettled(ac.speak("turn it on", { segmentBytes: 6 }), {
      maxMs: 120_000,
    });
    expect(answer).toMatchObject({ result: 0, ctrlResult: { rawText: "turn it on" } });
  });
});

describe("fleet files", () => {
  it("set misbehaviour per entry at start", async () => {
    world = await startWorld({
      fleet: {
        devices: [
          { profile: "air-conditioner", count: 1, misbehaviour: { skipHeartbeats: true } },
          { profile: "smart-lock", count: 1 },
        ],
      },
    });
    const { clock, platform, device, fleet } = world;
    fleet.powerOn();
    const ac = device("air-conditioner");
    const lock = device("smart-lock");
    expect(ac.misbehaviour.skipHeartbeats).toBe(true);
    expect(lock.misbehaviour.skipHeartbeats).toBe(false);
    await clock.runUntil(
      () =>
        platform.store.get(ac.deviceId)?.online === true &&
        platform.store.get(lock.deviceId)?.online === true,
    );
    await clock.advanceAsync(101_000);
    expect(platform.store.get(ac.deviceId)?.online).toBe(false);
    expect(platform.store.get(lock.deviceId)?.online).toBe(true);
  });

  it("give device N the same id and PIN on every run with the same seed", async () => {
    const { FleetFileSchema } = await import("../fleet/fleet-file.ts");
    const { planFleet, fleetRegistry } = await import("../fleet/fleet-plan.ts");
    const { loadProfiles } = await import("../profiles/load.ts");
    const profiles = await loadProfiles();
    const plan = (seed: number) =>
      fleetRegistry(
        planFleet(
          {
            ...FleetFileSchema.parse({ seed, devices: [{ profile: "smart-lock", count: 3 }] }),
            baseDir: ".",
          },
          profiles,
        ),
      );
    expect(plan(4)).toEqual(plan(4));
    expect(plan(4)).not.toEqual(plan(5));
    expect(new Set(plan(4).map((d) => d.deviceId)).size).toBe(3);
  });
});
