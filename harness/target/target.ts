import type { Clock } from "../clock/clock.ts";
import { RealClock } from "../clock/real-clock.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { showValue, UsageError } from "../errors.ts";
import { recordPlatform } from "../evidence/current.ts";

/** What a target can do; a clause that needs more is reported as not applicable, with the reason. */
export type Capability =
  /** Simulated time: hours of protocol timing in milliseconds. */
  | "virtual-time"
  /** hilfarm's own platform: its state and its switches are at hand. */
  | "platform-internals"
  /** An emulated device's misbehaviour switches (skip heartbeats, drop answers, ...). */
  | "misbehaviour"
  /** The device can be power-cycled by the scenario. */
  | "power-cycle";

export interface TestDevice {
  deviceId: string;
  pin: string;
}

/** "The platform" as a scenario sees it, whatever is behind it. */
export interface PlatformTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** `host:port` of the login server. */
  readonly loginAddress: string;
  /** Devices the platform knows, for the scenarios to play. */
  readonly devices: readonly TestDevice[];
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

export class NotSettled extends Error {}

/** `tcp://host:port` of someone's platform, on the real clock. */
export function externalPlatformTarget(url: string, devices: readonly TestDevice[]): PlatformTarget {
  const match = /^tcp:\/\/(.+:\d+)$/.exec(url);
  if (match?.[1] === undefined)
    throw new UsageError("platform", `--platform must be tcp://host:port, got ${showValue(url)}`);
  if (devices.length === 0)
    throw new UsageError(
      "registry",
      "the platform under test needs at least one device it knows (--registry)",
    );
  const clock = new RealClock();
  return {
    description: `platform under test at ${match[1]}`,
    capabilities: new Set(),
    clock,
    loginAddress: match[1],
    devices,
    settle: (promise, maxMs) => withDeadline(clock, promise, maxMs),
    close: async () => undefined,
  };
}

/** hilfarm's reference platform in this process, on a VirtualClock. */
export async function emulatedPlatformTarget(
  devices: readonly TestDevice[],
  options: { heartbeatSeconds?: number; offlineHeartbeats?: number } = {},
): Promise<PlatformTarget> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const { seededRandom } = await import("../random/random.ts");
  const clock = new VirtualClock();
  const platform = await startPlatform({
    registry: Registry.fromDevices(devices.map((d) => ({ ...d }))),
    clock,
    random: seededRandom(1),
    logger: pino({ level: "silent" }),
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    timing: {
      ...(options.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: options.heartbeatSeconds }),
      ...(options.offlineHeartbeats === undefined ? {} : { offlineHeartbeats: options.offlineHeartbeats }),
    },
  });
  recordPlatform(platform, clock);
  const deviation =
    options.offlineHeartbeats === undefined || options.offlineHeartbeats === 3
      ? ""
      : `; deliberate deviation: offline after ${options.offlineHeartbeats} heartbeats`;
  return {
    description: `hilfarm reference platform (in process, virtual time${deviation})`,
    capabilities: new Set<Capability>(["virtual-time", "platform-internals"]),
    clock,
    loginAddress: platform.addresses.login,
    devices,
    settle: (promise, maxMs) =>
      clock.runUntilSettled(withDeadline(clock, promise, maxMs), { maxMs: maxMs + 1 }),
    close: () => platform.close(),
  };
}

export type PlatformTargetSpec =
  | { kind: "emulated"; offlineHeartbeats?: number; heartbeatSeconds?: number }
  | { kind: "external"; url: string };

/**
 * Parses a platform target: `emulated`, `emulated?offline-heartbeats=2` (hilfarm's platform with a deliberate
 * deviation, to see what a failure looks like) or `tcp://host:port`. Throws a UsageError naming what is wrong.
 */
export function parsePlatformTarget(text: string): PlatformTargetSpec {
  if (text !== "emulated" && !text.startsWith("emulated?")) {
    if (!/^tcp:\/\/.+:\d+$/.test(text))
      throw new UsageError(
        "target",
        `a target is emulated, emulated?<settings> or tcp://host:port, got ${showValue(text)}`,
      );
    return { kind: "external", url: text };
  }
  const spec: PlatformTargetSpec = { kind: "emulated" };
  for (const [key, value] of new URLSearchParams(text.slice("emulated?".length))) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(
        "target",
        `${key} in ${showValue(text)} must be a positive integer, got ${showValue(value)}`,
      );
    if (key === "offline-heartbeats") spec.offlineHeartbeats = n;
    else if (key === "heartbeat") spec.heartbeatSeconds = n;
    else
      throw new UsageError(
        "target",
        `unknown setting ${showValue(key)} in ${showValue(text)}; known: offline-heartbeats, heartbeat`,
      );
  }
  return spec;
}

/** The target `text` names (see `parsePlatformTarget`), started. */
export function platformTarget(text: string, devices: readonly TestDevice[]): Promise<PlatformTarget> {
  const spec = parsePlatformTarget(text);
  if (spec.kind === "external") return Promise.resolve(externalPlatformTarget(spec.url, devices));
  const { kind: _kind, ...options } = spec;
  return emulatedPlatformTarget(devices, options);
}

function withDeadline<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new NotSettled(`nothing within ${maxMs} ms`)),
      maxMs,
      "target-deadline",
    );
    promise.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
