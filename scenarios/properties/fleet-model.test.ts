import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EmulatedDevice } from "../../emulators/device/emulated-device.ts";
import type { DeviceContext } from "../../emulators/device/model.ts";
import type { GatewayModel } from "../../emulators/gateway/gateway-model.ts";
import type { ProfileModel } from "../../emulators/profiles/profile-model.ts";
import { startWorld } from "../../emulators/testing/world.ts";
import { FaultyConnector, type LinkFaults } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { reportSimulatedTime } from "../support/time-report.ts";

/**
 * Model-based runs over a small fleet (an air conditioner, a lock, a gateway with a Zigbee switch), on virtual
 * time over real sockets: random controls, queries, sensor readings, events, key management, link faults,
 * reboots, network losses and clock advances. After every step, and at quiescence once the links heal, the
 * platform and the devices must agree as the spec says they will.
 */
const time = reportSimulatedTime("properties: fleet model");
const RUNS = Math.max(200, Number(process.env.HILFARM_NUM_RUNS ?? 0));
const OFFLINE_AFTER_MS = 3 * 30_000 + 10_000;

type World = Awaited<ReturnType<typeof startWorld>>;

interface Real {
  world: World;
  devices: { ac: EmulatedDevice; lock: EmulatedDevice; gateway: EmulatedDevice };
  connectors: Map<string, FaultyConnector>;
  /** Invariant breaches seen by the watchers; checked after every step. */
  breaches: string[];
  /** Platform acknowledgements (2033, result 0) per device. */
  eventAcks: Map<string, number>;
}

type Model = Record<string, never>;
type Command = fc.AsyncCommand<Model, Real>;
type DeviceName = keyof Real["devices"];

const contextOf = (device: EmulatedDevice) => (device as unknown as { context(): DeviceContext }).context();
const switchOf = (real: Real) => {
  const gateway = real.devices.gateway.model as GatewayModel;
  const [sub] = gateway.subDevices.values();
  if (sub === undefined) throw new Error("the gateway has no switch");
  return sub;
};

/** Settles a promise on virtual time; failures of the operation itself are allowed (offline, timeouts). */
async function settle(real: Real, promise: Promise<unknown>): Promise<void> {
  await real.world.clock.runUntilSettled(
    promise.catch(() => undefined),
    { maxMs: 3_600_000 },
  );
}

function checkInvariants(real: Real): void {
  const { platform } = real.world;
  // No report the platform acknowledged is lost or applied twice (retransmissions included).
  for (const [name, device] of Object.entries(real.devices)) {
    const stored = platform.store.get(device.deviceId)?.events.filter((e) => e.kind === "event").length ?? 0;
    const acked = real.eventAcks.get(device.deviceId) ?? 0;
    if (stored !== acked) real.breaches.push(`${name}: ${stored} events stored, ${acked} acknowledged`);
  }
  expect(real.breaches).toEqual([]);
}

class Control implements Command {
  constructor(
    readonly target: "ac" | "switch",
    readonly value: string,
  ) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    const deviceId = this.target === "ac" ? real.devices.ac.deviceId : switchOf(real).deviceId;
    const cmd =
      this.target === "ac"
        ? [{ cmdName: "SET_TEMP", cmdParam: this.value }]
        : [{ cmdName: "SET_POWER", cmdParam: this.value }];
    await settle(real, real.world.platform.operations.control(deviceId, { serialId: "0", cmd }));
    checkInvariants(real);
  }
  toString = () => `control(${this.target}, ${this.value})`;
}

class Query implements Command {
  constructor(readonly target: DeviceName) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    await settle(real, real.world.platform.operations.query(real.devices[this.target].deviceId));
    checkInvariants(real);
  }
  toString = () => `query(${this.target})`;
}

class Reading implements Command {
  constructor(readonly value: string) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    const ac = real.devices.ac;
    if (ac.state === "online")
      await settle(real, (ac.model as ProfileModel).setStatus(contextOf(ac), "0", "ROOM_TEMP", this.value));
    checkInvariants(real);
  }
  toString = () => `roomTemperature(${this.value})`;
}

class RaiseEvent implements Command {
  check = () => true;
  async run(_m: Model, real: Real) {
    const lock = real.devices.lock;
    if (lock.state === "online")
      await settle(
        real,
        (lock.model as ProfileModel).raiseEvent(contextOf(lock), "LOCK_OPEN", { KEY_ID: "1" }),
      );
    checkInvariants(real);
  }
  toString = () => "lockOpened()";
}

class AddKey implements Command {
  constructor(readonly keyId: string) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    const resourceSerials = [
      {
        serialId: "0",
        resourceSerial: [
          { resourceName: "KEY_LIST", resourceInfo: [{ KEY_ID: this.keyId, KEY_TYPE: "2", MODE: "1" }] },
        ],
      },
    ];
    await settle(
      real,
      real.world.platform.operations.manageResources(real.devices.lock.deviceId, resourceSerials),
    );
    checkInvariants(real);
  }
  toString = () => `addKey(${this.keyId})`;
}

class Unbind implements Command {
  constructor(readonly by: "platform" | "gateway") {}
  check = () => true;
  async run(_m: Model, real: Real) {
    const gateway = real.devices.gateway;
    const sub = switchOf(real);
    if (this.by === "platform")
      await settle(real, real.world.platform.operations.unbind(gateway.deviceId, sub.deviceId));
    else if (gateway.state === "online" && sub.bound)
      await settle(real, (gateway.model as GatewayModel).unbindLocally(contextOf(gateway), sub.deviceId));
    checkInvariants(real);
  }
  toString = () => `unbind(switch, by ${this.by})`;
}

class LinkFault implements Command {
  constructor(
    readonly target: DeviceName,
    readonly faults: Partial<LinkFaults>,
  ) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    real.connectors.get(real.devices[this.target].deviceId)?.set(this.faults);
    checkInvariants(real);
  }
  toString = () => `linkFault(${this.target}, ${JSON.stringify(this.faults)})`;
}

class Cut implements Command {
  constructor(
    readonly target: DeviceName,
    readonly mode: "half-open" | "reset",
  ) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    real.connectors.get(real.devices[this.target].deviceId)?.cut(this.mode);
    checkInvariants(real);
  }
  toString = () => `cut(${this.target}, ${this.mode})`;
}

class Heal implements Command {
  constructor(readonly target: DeviceName) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    real.connectors.get(real.devices[this.target].deviceId)?.heal();
    checkInvariants(real);
  }
  toString = () => `heal(${this.target})`;
}

class Reboot implements Command {
  constructor(readonly target: DeviceName) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    real.devices[this.target].reboot();
    await real.world.clock.advanceAsync(1);
    checkInvariants(real);
  }
  toString = () => `reboot(${this.target})`;
}

class LoseNetwork implements Command {
  constructor(
    readonly target: DeviceName,
    readonly ms: number,
  ) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    real.devices[this.target].loseNetwork(this.ms);
    checkInvariants(real);
  }
  toString = () => `loseNetwork(${this.target}, ${this.ms})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: Model, real: Real) {
    await real.world.clock.advanceAsync(this.ms);
    checkInvariants(real);
  }
  toString = () => `advance(${this.ms})`;
}

const device = fc.constantFrom<DeviceName>("ac", "lock", "gateway");
const commands = [
  fc
    .tuple(fc.constantFrom<"ac" | "switch">("ac", "switch"), fc.integer({ min: 16, max: 30 }))
    .map(([t, v]) => new Control(t, t === "ac" ? String(v) : String(v % 2))),
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
  fc.integer({ min: 1, max: 150_000 }).map((ms) => new Advance(ms)),
];

async function startReal(seed: number): Promise<Real> {
  const connectors = new Map<string, FaultyConnector>();
  const world = await startWorld({
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
  return real;
}

/** Heals every link and waits for the platform and every device to agree. */
async function quiesce(real: Real): Promise<void> {
  const { platform, clock } = real.world;
  for (const c of real.connectors.values()) c.heal();
  const sub = switchOf(real);
  const agree = () =>
    Object.values(real.devices).every((d) => {
      const record = platform.store.get(d.deviceId);
      const own =
        d.model instanceof Object && "status" in d.model
          ? (d.model as ProfileModel).status
          : (d.model as GatewayModel).own.status;
      return (
        d.state === "online" &&
        !d.networkDown &&
        record?.online === true &&
        JSON.stringify(record.status) === JSON.stringify(own)
      );
    }) &&
    // An unbound switch is unbound on both sides; a bound one is online with the same state on both.
    (sub.bound
      ? platform.store.get(sub.deviceId)?.unbound === false &&
        JSON.stringify(platform.store.get(sub.deviceId)?.status) === JSON.stringify(sub.model.status)
      : platform.store.get(sub.deviceId)?.unbound === true);
  await clock.runUntil(agree, { maxMs: 4 * 3_600_000 });
  checkInvariants(real);
}

describe("the platform and the devices agree (fast-check model-based, on virtual time)", () => {
  it(`after any sequence of operations and faults, once the links heal (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.commands(commands, { maxCommands: 12 }),
        async (seed, cmds) => {
          const real = await startReal(seed);
          try {
            await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
            await quiesce(real);
          } finally {
            await real.world.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
