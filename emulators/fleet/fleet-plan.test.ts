import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../harness/errors.ts";
import { type RegisteredDevice, Registry } from "../platform/registry/index.ts";
import { shippedProfiles } from "../profiles/load.ts";
import type { Profile } from "../profiles/schema.ts";
import { FleetFileSchema } from "./fleet-file.ts";
import { type FleetPlan, planFleet } from "./fleet-plan.ts";

let profiles: Map<string, Profile>;
beforeAll(async () => {
  profiles = await shippedProfiles();
});

const fleetOf = (fleet: unknown) => ({ ...FleetFileSchema.parse(fleet), baseDir: "." });

/** Each planned device's id, and its sub-devices' ids under it. */
const idsOf = (plan: FleetPlan) =>
  plan.devices.map((d) => [d.deviceId, d.pin, d.subDevices.map((s) => [s.deviceId, s.pin])]);

const SUB_MODELS = ["ZB-DOOR-01", "ZB-TEMP-01"] as const;
const TOP_MODELS = ["CT-SW3-01", "LOCK-01", "CT-GW-01"] as const;

/** What the fleet file says a registry fleet gets: the first unused entry of the model (under the gateway), in file order. */
function firstUnused(
  entries: readonly RegisteredDevice[],
  used: Set<string>,
  model: string,
  parentId?: string,
) {
  const entry = entries.find((d) => !used.has(d.deviceId) && d.model === model && d.parentId === parentId);
  if (entry !== undefined) used.add(entry.deviceId);
  return entry;
}

describe("planFleet with a registry", () => {
  it("gives each device the first unused entry of its model, and each sub-device one under its own gateway", () => {
    const registry = Registry.fromDevices([
      { deviceId: "loose-door", pin: "F".repeat(32), model: "ZB-DOOR-01" },
      { deviceId: "lock-1", pin: "L".repeat(32), model: "LOCK-01" },
      { deviceId: "switch-1", pin: "S".repeat(32), model: "CT-SW3-01" },
      { deviceId: "gateway-1", pin: "G".repeat(32), model: "CT-GW-01" },
      { deviceId: "door-of-1", pin: "D".repeat(32), model: "ZB-DOOR-01", parentId: "gateway-1" },
      { deviceId: "switch-2", pin: "T".repeat(32), model: "CT-SW3-01" },
      { deviceId: "gateway-2", pin: "H".repeat(32), model: "CT-GW-01" },
      { deviceId: "door-of-2", pin: "E".repeat(32), model: "ZB-DOOR-01", parentId: "gateway-2" },
      { deviceId: "no-model", pin: "N".repeat(32) },
    ]);
    const plan = planFleet(
      fleetOf({
        devices: [{ profile: "three-gang-switch", count: 2 }],
        gateways: [
          { profile: "zigbee-gateway", count: 2, subDevices: [{ profile: "door-window-sensor", count: 1 }] },
        ],
      }),
      profiles,
      registry,
    );
    expect(idsOf(plan)).toEqual([
      ["switch-1", "S".repeat(32), []],
      ["switch-2", "T".repeat(32), []],
      ["gateway-1", "G".repeat(32), [["door-of-1", "D".repeat(32)]]],
      ["gateway-2", "H".repeat(32), [["door-of-2", "E".repeat(32)]]],
    ]);
  });

  it("names the model, and the gateway, that the registry has run out of", () => {
    const registry = Registry.fromDevices([
      { deviceId: "switch-1", pin: "S".repeat(32), model: "CT-SW3-01" },
      { deviceId: "gateway-1", pin: "G".repeat(32), model: "CT-GW-01" },
    ]);
    const plan = (fleet: unknown) => () => planFleet(fleetOf(fleet), profiles, registry);
    expect(plan({ devices: [{ profile: "three-gang-switch", count: 2 }] })).toThrow(
      new UsageError("fleet", "registry has no unused device of model CT-SW3-01"),
    );
    expect(
      plan({
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "door-window-sensor", count: 1 }] },
        ],
      }),
    ).toThrow("registry has no unused device of model ZB-DOOR-01 under gateway gateway-1");
  });

  it("property: the same devices as taking the first unused entry by scanning the registry", () => {
    const entry = fc.record({
      model: fc.option(fc.constantFrom(...TOP_MODELS), { nil: undefined }),
      subModels: fc.array(fc.constantFrom(...SUB_MODELS), { maxLength: 3 }),
    });
    const request = fc.record({
      switches: fc.nat(6),
      locks: fc.nat(6),
      gateways: fc.nat(4),
      doors: fc.nat(2),
      sensors: fc.nat(2),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), request, (shape, wanted) => {
        const entries: RegisteredDevice[] = [];
        shape.forEach(({ model, subModels }, i) => {
          const deviceId = `device-${i}`;
          entries.push({
            deviceId,
            pin: "P".repeat(31) + (i % 10),
            ...(model === undefined ? {} : { model }),
          });
          subModels.forEach((subModel, j) => {
            entries.push({
              deviceId: `${deviceId}-${j}`,
              pin: "Q".repeat(32),
              model: subModel,
              parentId: deviceId,
            });
          });
        });
        const fleet = fleetOf({
          devices: [
            { profile: "three-gang-switch", count: wanted.switches },
            { profile: "smart-lock", count: wanted.locks },
          ],
          gateways: [
            {
              profile: "zigbee-gateway",
              count: wanted.gateways,
              subDevices: [
                { profile: "door-window-sensor", count: wanted.doors },
                { profile: "temperature-humidity-sensor", count: wanted.sensors },
              ],
            },
          ],
        });
        // The reference: the rule as the fleet file states it, one scan of the registry per device.
        const used = new Set<string>();
        const expected: unknown[] = [];
        let missing: string | undefined;
        const take = (model: string, parentId?: string) => {
          const found = firstUnused(entries, used, model, parentId);
          if (found === undefined)
            missing ??= `${model}${parentId === undefined ? "" : ` under gateway ${parentId}`}`;
          return found;
        };
        for (const [model, count] of [
          ["CT-SW3-01", wanted.switches],
          ["LOCK-01", wanted.locks],
        ] as const)
          for (let i = 0; i < count && missing === undefined; i++) {
            const found = take(model);
            if (found !== undefined) expected.push([found.deviceId, found.pin, []]);
          }
        for (let g = 0; g < wanted.gateways && missing === undefined; g++) {
          const gateway = take("CT-GW-01");
          if (gateway === undefined) break;
          const subs: unknown[] = [];
          for (const [model, count] of [
            ["ZB-DOOR-01", wanted.doors],
            ["ZB-TEMP-01", wanted.sensors],
          ] as const)
            for (let i = 0; i < count && missing === undefined; i++) {
              const found = take(model, gateway.deviceId);
              if (found !== undefined) subs.push([found.deviceId, found.pin]);
            }
          expected.push([gateway.deviceId, gateway.pin, subs]);
        }
        const plan = () => planFleet(fleet, profiles, Registry.fromDevices(entries));
        if (missing === undefined) expect(idsOf(plan())).toEqual(expected);
        else expect(plan).toThrow(`registry has no unused device of model ${missing}`);
      }),
    );
  });
});

describe("planFleet without a registry", () => {
  it("gives device N the same id and PIN on every run with the same seed, and other ones with another seed", () => {
    const fleet = (seed: number) =>
      fleetOf({
        seed,
        devices: [{ profile: "three-gang-switch", count: 3 }],
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "door-window-sensor", count: 2 }] },
        ],
      });
    const first = idsOf(planFleet(fleet(7), profiles));
    expect(idsOf(planFleet(fleet(7), profiles))).toEqual(first);
    expect(new Set(first.flatMap(([id, , subs]) => [id, ...(subs as string[][]).map(([s]) => s)])).size).toBe(
      6,
    );
    expect(idsOf(planFleet(fleet(8), profiles))[0]).not.toEqual(first[0]);
    // The ids and PINs a seed gives are what every registry made from a fleet holds: they must not change.
    expect(first[0]).toEqual(["867770cb0000000000000000", "mNOqPzCs4cm4CVlqDrwn6FTYPKsO8iwB", []]);
    expect(first[3]?.[2]).toContainEqual(["867770cb0000000000000005", "V0NyTl7ngEXlOg0T2e1dmwfQHpLeELhk"]);
  });
});
