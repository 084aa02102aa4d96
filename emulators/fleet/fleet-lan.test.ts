import { afterEach, describe, expect, it } from "vitest";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { LanSearcher } from "../device/lan/testing/lan-test-client.ts";
import { silent, startWorld } from "../testing/world.ts";
import { Fleet } from "./fleet.ts";
import { type FleetLanOptions, lanPlaces } from "./fleet-lan.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
const opened: LanSearcher[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  await world?.fleet.close();
  await world?.close();
  world = undefined;
});

/** A second fleet of the world's plan, with its own LAN options. */
const fleetOf = (w: World, lan: FleetLanOptions | false) =>
  new Fleet({
    plan: w.plan,
    loginAddress: w.platform.addresses.login,
    clock: w.clock,
    random: seededRandom(1),
    logger: silent,
    connector: socketConnector(),
    lan,
  });

const mixed = {
  devices: [{ profile: "air-conditioner", count: 1 }],
  gateways: [
    {
      profile: "zigbee-gateway",
      count: 1,
      subDevices: [{ profile: "temperature-humidity-sensor", count: 2 }],
    },
  ],
};

describe("where a fleet's LAN sides listen", () => {
  it("free: every device on the host, the ports left to the system", () => {
    expect(lanPlaces(2)).toEqual([
      { host: "127.0.0.1", discoveryPort: 0, controlPort: 0 },
      { host: "127.0.0.1", discoveryPort: 0, controlPort: 0 },
    ]);
  });

  it("standard: 7680/7681 on an address per device, numbered up from the host", () => {
    expect(
      lanPlaces(3, { host: "127.0.1.1", ports: "standard" }).map(
        (p) => `${p.host} ${p.discoveryPort}/${p.controlPort}`,
      ),
    ).toEqual(["127.0.1.1 7680/7681", "127.0.1.2 7680/7681", "127.0.1.3 7680/7681"]);
    expect(lanPlaces(254, { host: "127.0.1.1", ports: "standard" }).at(-1)?.host).toBe("127.0.1.254");
  });

  it("refuses more devices than fit in the host's /24, and hosts that are no IPv4 address", () => {
    expect(() => lanPlaces(255, { host: "127.0.1.1", ports: "standard" })).toThrow(
      "255 devices from 127.0.1.1 would need 127.0.1.1-127.0.1.255, past 127.0.1.254 (at most 254 from 127.0.1.1)",
    );
    expect(() => lanPlaces(10, { host: "127.0.1.250", ports: "standard" })).toThrow(
      /at most 5 from 127\.0\.1\.250/,
    );
    expect(() => lanPlaces(1, { host: "127.0.1.0", ports: "standard" })).toThrow(/\.1 to \.254/);
    expect(() => lanPlaces(1, { host: "::1", ports: "standard" })).toThrow(/IPv4/);
    expect(() => lanPlaces(1, { host: "localhost" })).toThrow(/IP address/);
  });
});

describe("a fleet's LAN sides", () => {
  it("start for every device and gateway, not for sub-devices, each answering discovery as itself", async () => {
    world = await startWorld({ fleet: mixed });
    const lan = await world.fleet.startLan();
    const ids = world.plan.devices.map((d) => d.deviceId);
    expect(Object.keys(lan)).toEqual(ids);
    for (const id of ids) {
      const s = await LanSearcher.open(lan[id]?.discovery ?? "");
      opened.push(s);
      world.fleet.get(id)?.powerOn();
      s.search("");
      expect(await s.next()).toMatchObject({ deviceId: id });
    }
  });

  it("listen on the standard ports, an address per device", async () => {
    world = await startWorld({ fleet: mixed });
    // Away from addresses people pick by hand: the spec's ports are fixed, so the address must be free.
    const net = `127.0.${100 + (process.pid % 150)}`;
    const fleet = fleetOf(world, { host: `${net}.1`, ports: "standard" });
    try {
      expect(Object.values(await fleet.startLan())).toEqual([
        { discovery: `${net}.1:7680`, control: `${net}.1:7681` },
        { discovery: `${net}.2:7680`, control: `${net}.2:7681` },
      ]);
    } finally {
      await fleet.close();
    }
  });

  it("stay off with lan: false", async () => {
    world = await startWorld({ fleet: mixed });
    const fleet = fleetOf(world, false);
    expect(await fleet.startLan()).toEqual({});
  });
});
