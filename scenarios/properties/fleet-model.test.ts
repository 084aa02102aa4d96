import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultTiming } from "../../emulators/platform/options.ts";
import { startWorld } from "../../emulators/testing/world.ts";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { AddKey, Control, ControlRefused, Query, RaiseEvent, Reading, Unbind } from "./fleet-commands.ts";
import { Advance, Cut, Heal, healLink, LinkFault, LoseNetwork, Reboot } from "./fleet-faults.ts";
import {
  checkStep,
  DEVICES,
  type DeviceName,
  departures,
  deviceView,
  heldState,
  initialModel,
  type Model,
  OFFLINE_AFTER_MS,
  ownModel,
  platformView,
  type Real,
  switchOf,
  type View,
} from "./fleet-model.ts";

/**
 * Model-based runs over a small fleet (an air conditioner, a lock, a gateway with a Zigbee switch), on virtual
 * time over real sockets: random controls, queries, sensor readings, events, key management, unbinds, link faults,
 * reboots, network losses and clock advances, each checked against a model of what the platform should hold
 * (`fleet-model.ts`, commands in `fleet-commands.ts`). After every step, and in full at quiescence once the links
 * heal, the devices and the platform must hold what the model allows.
 */
const time = reportSimulatedTime("properties: fleet model");
const RUNS = Math.max(200, Number(process.env.HILFARM_NUM_RUNS ?? 0));
/** A healed device logs in again within the platform's authInterval (5.4.2.1), then reports all within seconds. */
const CONVERGED_WITHIN_MS = (defaultTiming.authIntervalSeconds ?? 600) * 1000 + 120_000;

const device = fc.constantFrom<DeviceName>("ac", "lock", "gateway");
const commands = [
  fc
    .tuple(fc.constantFrom<"ac" | "switch">("ac", "switch"), fc.integer({ min: 16, max: 30 }))
    .map(([t, v]) => new Control(t, t === "ac" ? String(v) : String(v % 2))),
  fc.integer({ min: 16, max: 30 }).map((v) => new ControlRefused(v)),
  device.map((d) => new Query(d)),
  fc.integer({ min: 20, max: 45 }).map((v) => new Reading(String(v))),
  fc.constant(new RaiseEvent()),
  fc.integer({ min: 2, max: 50 }).map((k) => new AddKey(String(k))),
  fc.constantFrom<"platform" | "gateway">("platform", "gateway").map((by) => new Unbind(by)),
  fc
    .tuple(
      device,
      fc.record({
        latencyMs: fc.constantFrom(0, 50, 2_000),
        drop: fc.constantFrom(0, 0.2, 0.5),
        duplicate: fc.constantFrom(0, 0.3),
        reorder: fc.constantFrom(0, 0.3),
      }),
    )
    .map(([d, f]) => new LinkFault(d, f)),
  fc
    .tuple(device, fc.constantFrom<"half-open" | "reset">("half-open", "reset"))
    .map(([d, m]) => new Cut(d, m)),
  device.map((d) => new Heal(d)),
  device.map((d) => new Reboot(d)),
  fc.tuple(device, fc.integer({ min: 1_000, max: 200_000 })).map(([d, ms]) => new LoseNetwork(d, ms)),
  // Up to twice the time after which an outage is known on both sides (3 x HB + 10 s).
  fc.integer({ min: 1, max: 210_000 }).map((ms) => new Advance(ms)),
];

async function startReal(seed: number): Promise<{ real: Real; close: () => Promise<void> }> {
  const connectors = new Map<string, FaultyConnector>();
  const world = await startWorld({
    evidence: testEvidence,
    fleet: {
      seed,
      devices: [
        { profile: "air-conditioner", count: 1 },
        { profile: "smart-lock", count: 1 },
      ],
      gateways: [
        { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] },
      ],
    },
    connector: (clock, deviceId) => {
      const faulty = new FaultyConnector(
        socketConnector(),
        clock,
        seededRandom(seed).fork(`link/${deviceId}`),
      );
      connectors.set(deviceId, faulty);
      return faulty;
    },
  });
  time.track(world.clock);
  const real: Real = {
    world,
    devices: {
      ac: world.device("air-conditioner"),
      lock: world.device("smart-lock"),
      gateway: world.device("zigbee-gateway"),
    },
    connectors,
    breaches: [],
    eventAcks: new Map(),
  };
  const { platform, clock } = world;
  const lastHeard = new Map<string, number>();
  platform.events.on("frame", ({ direction, deviceId, message, at }) => {
    if (direction === "in") lastHeard.set(deviceId, at);
    if (direction === "out" && message.code === 2033 && message.body.result === 0) {
      const about = message.body.deviceId;
      real.eventAcks.set(about, (real.eventAcks.get(about) ?? 0) + 1);
    }
    // Sequences stay consistent modulo 65536 on both sides: the platform never sees one out of order.
    if (direction === "out" && (message.body as { result?: number; dscp?: unknown }).result === 100001) {
      real.breaches.push(
        `${deviceId}: platform answered 100001 (${String((message.body as { dscp?: unknown }).dscp)})`,
      );
    }
  });
  // 5.4.2.3: offline exactly 3 x HB + 10 s after the last message, never earlier, never later.
  platform.events.on("session-end", ({ deviceId, reason }) => {
    if (reason !== "offline") return;
    const silence = clock.now() - (lastHeard.get(deviceId) ?? 0);
    if (silence !== OFFLINE_AFTER_MS)
      real.breaches.push(`${deviceId}: declared offline after ${silence} ms of silence`);
  });
  for (const d of Object.values(real.devices)) {
    d.on("relogin", ({ reason }) => {
      if (reason.includes("sequence")) real.breaches.push(`${d.deviceId}: ${reason}`);
    });
  }
  world.fleet.powerOn();
  await clock.runUntil(
    () => world.fleet.online() === 3 && platform.store.get(switchOf(real).deviceId)?.online === true,
  );
  return { real, close: world.close };
}

/**
 * Heals every link, waits (within the login back-off) until every device is online on both sides with the platform
 * holding what the device holds, then compares the platform with the model in full.
 */
async function quiesce(model: Model, real: Real): Promise<void> {
  const { platform, clock } = real.world;
  for (const c of real.connectors.values()) c.heal();
  for (const d of DEVICES) healLink(model, d);
  const networkBackIn = Math.max(0, ...DEVICES.map((d) => model.links[d].networkUpAt - clock.now()));
  const sub = switchOf(real);
  const record = (id: string) => platform.store.get(id);
  const resources = (id: string) => JSON.stringify(record(id)?.resources.flatMap(sortedEntries) ?? []);
  // Both sides alike, but for an unbound switch's state, which the platform no longer takes (heldState).
  const comparable = (view: View) => ({ ...view, status: heldState(view, "platform") });
  const agree = () =>
    Object.values(real.devices).every(
      (d) => d.state === "online" && !d.networkDown && record(d.deviceId)?.online === true,
    ) &&
    isDeepStrictEqual(comparable(platformView(real)), comparable(deviceView(real))) &&
    resources(real.devices.lock.deviceId) === JSON.stringify(deviceResources(real)) &&
    // A bound switch is online at the platform; an unbound one is not.
    record(sub.deviceId)?.online === sub.bound;
  const started = clock.now();
  await clock.runUntil(agree, { maxMs: networkBackIn + CONVERGED_WITHIN_MS }).catch((error: unknown) => {
    const platformSide = departures(model, platformView(real), "platform");
    throw new Error(
      `no agreement ${clock.now() - started} ms after the heal: ${JSON.stringify({
        departures: platformSide,
        platform: platformView(real),
        devices: deviceView(real),
      })}`,
      { cause: error },
    );
  });
  checkStep(model, real);
  expect(departures(model, platformView(real), "platform")).toEqual([]);
}

type Serial = { serialId: string; resourceSerial: Array<{ resourceName: string; resourceInfo: object[] }> };
const sortedEntries = (s: Serial) =>
  s.resourceSerial
    .flatMap((r) => r.resourceInfo.map((e) => `${s.serialId}/${r.resourceName}/${JSON.stringify(e)}`))
    .sort();

function deviceResources(real: Real): string[] {
  return Object.entries(ownModel(real, "lock").resources).flatMap(([serialId, byName]) =>
    sortedEntries({
      serialId,
      resourceSerial: Object.entries(byName).map(([resourceName, resourceInfo]) => ({
        resourceName,
        resourceInfo,
      })),
    }),
  );
}

describe("the platform holds what the model says (fast-check model-based, on virtual time)", () => {
  it(
    `after every step, and in full once the links heal (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.commands(commands, { maxCommands: 12 }),
          async (seed, cmds) => {
            const { real, close } = await startReal(seed);
            try {
              const model = initialModel(real);
              await fc.asyncModelRun(() => ({ model, real }), cmds);
              await quiesce(model, real);
            } finally {
              await close();
            }
          },
        ),
        { numRuns: RUNS },
      );
      // About 30 ms of wall time per run; more runs (HILFARM_NUM_RUNS) get more time.
    },
    Math.max(30_000, RUNS * 100),
  );
});
