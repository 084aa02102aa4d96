import { cpuUsage, memoryUsage } from "node:process";
import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { startDelayProbe } from "../../harness/clock/delay-probe.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { TimerWheel } from "../../harness/clock/timer-wheel.ts";
import { UsageError } from "../../harness/errors.ts";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { parseFaults } from "../../harness/link/parse-faults.ts";
import { type Connector, socketConnector } from "../../harness/link/socket-link.ts";
import { coreWaitSeconds } from "../../harness/machine/process-stat.ts";
import { seededRandom } from "../../harness/random/random.ts";
import type { Misbehaviour } from "../device/misbehaviour.ts";
import { Fleet } from "../fleet/fleet.ts";
import type { PlannedDevice } from "../fleet/fleet-plan.ts";
import { type Profile, ProfileSchema } from "../profiles/schema.ts";
import type { ShardAssignment, WorkerSnapshot } from "./farm-messages.ts";
import { FarmObserver } from "./farm-observer.ts";
import { FARM_TICK_MS } from "./farm-tick.ts";
import { RampPacing } from "./ramp-pacing.ts";

export interface ShardRunnerOptions {
  assignment: ShardAssignment;
  logger: Logger;
  /**
   * Source addresses the shard's devices spread over, per transport (device i uses address i mod n); none: the
   * system's choice.
   */
  sourceAddresses?: { tcp: string[]; udp: string[] };
  /**
   * Drives the shard's timer wheel. Default: real time, on which the wheel yields to I/O between two timers and the
   * farm's own delay is measured (harness/clock/delay-probe.ts).
   */
  clock?: Clock;
}

/** What a planned device without fault switches or sub-devices shares with every other: nothing of its own. */
const noMisbehaviour: Partial<Misbehaviour> = Object.freeze({});
const noSubDevices: PlannedDevice[] = Object.freeze([]) as unknown as PlannedDevice[];

/**
 * Wire devices -> planned devices, with every profile checked; a bad one is named with its field. A farm keeps its
 * planned devices for the run: they share their profile's name and, where they have none, empty switches and
 * sub-devices, rather than a copy each (docs/benchmarks.md, "Fewer objects per device").
 */
export function plannedDevicesOf(assignment: ShardAssignment): PlannedDevice[] {
  const profiles = new Map<string, { name: string; profile: Profile }>();
  for (const [name, json] of Object.entries(assignment.profiles)) {
    const parsed = ProfileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        "profiles",
        `shard ${assignment.shard}: profile ${name}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
      );
    }
    profiles.set(name, { name, profile: parsed.data });
  }
  const planned = (wire: ShardAssignment["devices"][number]): PlannedDevice => {
    const named = profiles.get(wire.profileName);
    if (named === undefined)
      throw new UsageError(
        "profileName",
        `shard ${assignment.shard}: device ${wire.deviceId}: no profile ${JSON.stringify(wire.profileName)} in the assignment`,
      );
    const subDevices = wire.subDevices ?? [];
    return {
      deviceId: wire.deviceId,
      pin: wire.pin,
      profileName: named.name,
      profile: named.profile,
      misbehaviour: (wire.misbehaviour ?? noMisbehaviour) as Partial<Misbehaviour>,
      subDevices: subDevices.length === 0 ? noSubDevices : subDevices.map(planned),
    };
  };
  return assignment.devices.map(planned);
}

/**
 * One shard of a load run in this process: its devices powered on at the ramp rate, power-cycled at the churn rate
 * once the run is steady, every timer on one timer wheel, measured by one shared observer.
 */
export class ShardRunner {
  readonly observer = new FarmObserver();
  readonly wheel: TimerWheel;
  /** The wheel's own clock: the delay probe runs on it, not at the wheel's ticks (FARM_TICK_MS). */
  private readonly clock: Clock;
  private readonly realTime: boolean;
  private readonly fleet: Fleet;
  /** What the runner keeps of its assignment: the devices' list becomes its fleet. */
  private readonly assignment: Pick<
    ShardAssignment,
    "shard" | "rampPerSecond" | "churnPerSecond" | "rampHold"
  >;
  private readonly timers: Timer[] = [];
  private poweredOn = 0;
  /** The wheel's clock when the shard's first device powered on, and its last. */
  private firstPowerOnAt: number | undefined;
  private lastPowerOnAt: number | undefined;
  private startedAt = 0;
  private readonly cpuAtStart = cpuUsage();
  private readonly coreWaitAtStart = coreWaitSeconds("self");
  private readonly baselineRssBytes = memoryUsage.rss();
  /** The most RSS seen at a snapshot (once a second): what the shard's devices needed, the collector's timing aside. */
  private peakRssBytes = this.baselineRssBytes;
  private readonly random;
  private stopped = false;
  /** How late the worker's delay probe last ran: the ramp holds while it runs behind. */
  private lateMs = 0;
  /**
   * How late the wheel fires the timer it fires now: a ramp tick reads its own. While logins pour in, the wheel falls
   * behind by more than the probe shows, so the ramp holds on either (docs/benchmarks.md, "A ramp held while its
   * timers run late").
   */
  private timerLateMs = 0;
  private pacing: RampPacing | undefined;

  constructor(options: ShardRunnerOptions) {
    const { shard, rampPerSecond, churnPerSecond, rampHold } = options.assignment;
    this.assignment = { shard, rampPerSecond, churnPerSecond, rampHold };
    // On real time, answers are read between two heartbeats of one tick; a virtual clock runs every timer at once.
    this.clock = options.clock ?? new RealClock();
    this.realTime = options.clock === undefined;
    this.wheel = new TimerWheel(this.clock, {
      tickMs: FARM_TICK_MS,
      ...(this.realTime ? { yieldBetweenTimers: setImmediate } : {}),
      recordLate: (ms) => {
        this.timerLateMs = ms;
        if (this.realTime) this.observer.timerLate(ms);
      },
    });
    const plan = {
      seed: options.assignment.seed,
      transport: options.assignment.transport,
      devices: plannedDevicesOf(options.assignment),
    };
    this.random = seededRandom(options.assignment.seed).fork(`shard/${options.assignment.shard}`);
    const { tcp = [], udp = [] } = options.sourceAddresses ?? {};
    const nth = (list: string[], i: number) => (list.length === 0 ? undefined : list[i % list.length]);
    const sockets: Connector[] = Array.from({ length: Math.max(1, tcp.length, udp.length) }, (_, i) =>
      socketConnector(undefined, { tcp: nth(tcp, i), udp: nth(udp, i) }),
    );
    const faults =
      options.assignment.faults === undefined ? undefined : parseFaults(options.assignment.faults);
    let index = 0;
    const connector = (deviceId: string): Connector => {
      const links = sockets[index++ % sockets.length] as Connector;
      return faults === undefined
        ? links
        : new FaultyConnector(links, this.wheel, this.random.fork(`link/${deviceId}`), faults);
    };
    this.fleet = new Fleet({
      plan,
      loginAddress: options.assignment.loginAddress,
      clock: this.wheel,
      random: this.random,
      logger: options.logger,
      connector,
      observer: this.observer,
    });
    this.observer.expectDevices(this.fleet.devices.length, () => this.wheel.now());
  }

  get devices(): number {
    return this.fleet.devices.length;
  }

  start(): void {
    this.startedAt = this.wheel.now();
    // On a virtual clock nothing is ever late: the farm's delay is measured on real time only.
    if (this.realTime)
      this.timers.push(
        startDelayProbe(this.clock, (ms, period) => {
          this.lateMs = ms;
          this.observer.farmDelay(ms, period);
        }),
      );
    const { rampPerSecond, churnPerSecond, rampHold } = this.assignment;
    const pacing = new RampPacing(rampPerSecond, this.wheel.tickMs, rampHold);
    this.pacing = pacing;
    // A few devices at every tick rather than a batch every 100 ms: devices that come online together heartbeat
    // together for the rest of the run, and a batch would reach the platform as one burst every interval.
    const ramp = this.wheel.setInterval(
      () => {
        for (
          let due = pacing.due(this.wheel.now(), Math.max(this.lateMs, this.timerLateMs));
          due > 0;
          due--
        ) {
          if (this.poweredOn >= this.fleet.devices.length) break;
          if (this.poweredOn === 0) this.firstPowerOnAt = this.wheel.now();
          this.fleet.devices[this.poweredOn++]?.powerOn();
        }
        if (this.poweredOn >= this.fleet.devices.length) {
          if (this.poweredOn > 0) this.lastPowerOnAt = this.wheel.now();
          ramp.cancel();
        }
      },
      this.wheel.tickMs,
      "ramp",
    );
    this.timers.push(ramp);
    if (churnPerSecond > 0) {
      let churnCredit = 0;
      this.timers.push(
        this.wheel.setInterval(
          () => {
            // Churn once the run is steady: while devices still log in, a power-cycle would keep the fleet from
            // ever being all online, and the ramp's figures would mix with the churn's.
            if (!this.observer.isSteady) return;
            this.observer.stopWatchingAllOnline();
            churnCredit += churnPerSecond;
            while (churnCredit >= 1) {
              churnCredit--;
              const device = this.fleet.devices[this.random.int(0, this.fleet.devices.length - 1)];
              if (device === undefined || device.state === "off") continue;
              this.observer.countError("churn-power-cycle");
              device.powerOff();
              this.wheel.setTimeout(() => this.stopped || device.powerOn(), 1000, "churn-power-on");
            }
          },
          1000,
          "churn",
        ),
      );
    }
  }

  snapshot(): Omit<WorkerSnapshot, "runId" | "workerId" | "host" | "seq" | "final"> {
    const cpu = cpuUsage(this.cpuAtStart);
    const coreWait = coreWaitSeconds("self");
    const rssBytes = memoryUsage.rss();
    this.peakRssBytes = Math.max(this.peakRssBytes, rssBytes);
    return {
      shard: this.assignment.shard,
      elapsed: (this.wheel.now() - this.startedAt) / 1000,
      devices: this.fleet.devices.length,
      poweredOn: this.poweredOn,
      online: this.observer.online,
      ...(this.firstPowerOnAt === undefined ? {} : { firstPowerOnAt: this.firstPowerOnAt }),
      ...(this.lastPowerOnAt === undefined ? {} : { lastPowerOnAt: this.lastPowerOnAt }),
      rampHeldMs: this.pacing?.held ?? 0,
      ...(this.observer.allOnlineAt === undefined ? {} : { allOnlineAt: this.observer.allOnlineAt }),
      latencies: this.observer.latencies.encode(),
      steadyLatencies: this.observer.steadyLatencies.encode(),
      baselineRssBytes: this.baselineRssBytes,
      framesOut: this.observer.counters.framesOut,
      framesIn: this.observer.counters.framesIn,
      errors: Object.fromEntries(this.observer.errors),
      rssBytes,
      peakRssBytes: this.peakRssBytes,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      ...(coreWait === undefined || this.coreWaitAtStart === undefined
        ? {}
        : { coreWaitSeconds: coreWait - this.coreWaitAtStart }),
    };
  }

  /** Powers every device off (their sockets close) and stops the shard's timers. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.fleet.powerOff();
  }
}
