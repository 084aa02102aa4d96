import { afterEach, describe, expect, it } from "vitest";
import { startWorld } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const everyProfile = {
  devices: ["air-conditioner", "three-gang-switch", "air-purifier", "smart-lock"].map((profile) => ({
    profile,
    count: 1,
  })),
  gateways: [
    {
      profile: "zigbee-gateway",
      count: 1,
      subDevices: ["temperature-humidity-sensor", "door-window-sensor", "zigbee-switch", "zigbee-lock"].map(
        (profile) => ({ profile, count: 1 }),
      ),
    },
  ],
};

describe("every profile against the reference platform", () => {
  it("logs in, connects, and reports state, resources and version; sub-devices come online through the gateway", async () => {
    world = await startWorld({ fleet: everyProfile });
    const { clock, platform, fleet, plan } = world;
    fleet.powerOn();
    const everyone = plan.devices.flatMap((d) => [d, ...d.subDevices]);
    await clock.runUntil(
      () => everyone.every((d) => platform.store.get(d.deviceId)?.version.device !== undefined),
      { maxMs: 60_000 },
    );
    for (const planned of everyone) {
      const record = platform.store.get(planned.deviceId);
      expect(record?.online, planned.profileName).toBe(true);
      expect(record?.status, planned.profileName).toEqual(planned.profile.serials);
      expect(record?.version.device).toBe(planned.profile.version);
    }
    const purifier = plan.devices.find((d) => d.profileName === "air-purifier");
    expect(platform.store.get(purifier?.deviceId ?? "")?.resources[0]?.resourceSerial[0]?.resourceName).toBe(
      "CONSUM",
    );
    expect(fleet.summary()).toMatchObject({ devices: 9, online: 9 });
  });
});
