import type { PlatformLimits } from "../../emulators/platform/limits.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { withDeadline } from "../../harness/clock/deadline.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import type { EvidenceSlot } from "../../harness/evidence/evidence-slot.ts";

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
  /** The northbound API (`http://host:port`), when the suite may use it; clauses that need it are otherwise n/a. */
  readonly apiUrl?: string;
  /** The API's bearer token, when it requires one. */
  readonly apiToken?: string;
  /** Where the frames of the target and of the devices the clauses play go as evidence, if anything records. */
  readonly evidence?: EvidenceSlot;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

export class NotSettled extends Error {}

/** Where someone's platform has its northbound API, if the suite may use it. */
export interface ApiAccess {
  apiUrl?: string;
  apiToken?: string;
}

/** Where a target's frames go as evidence: the slot of whoever runs the scenarios. */
export interface TargetEvidence {
  evidence?: EvidenceSlot;
}

const evidenceOf = ({ evidence }: TargetEvidence) => (evidence === undefined ? {} : { evidence });

/** `tcp://host:port` of someone's platform, on the real clock. */
export function externalPlatformTarget(
  url: string,
  devices: readonly TestDevice[],
  options: ApiAccess & TargetEvidence = {},
): PlatformTarget {
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
    ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl.replace(/\/+$/, "") }),
    ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
    ...evidenceOf(options),
    settle: (promise, maxMs) => settleWithin(clock, promise, maxMs),
    close: async () => undefined,
  };
}

/** hilfarm's reference platform in this process, on a VirtualClock. */
export async function emulatedPlatformTarget(
  devices: readonly TestDevice[],
  options: EmulatedOptions & TargetEvidence = {},
): Promise<PlatformTarget> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const { seededRandom } = await import("../../harness/random/random.ts");
  // Virtual time over real sockets: each step lets loopback I/O run for more turns than the default, so a login
  // under a loaded machine (or behind an HTTP body still draining) is answered before the next timer fires.
  const clock = new VirtualClock({ ioTurns: 200 });
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
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
  });
  const detach = options.evidence?.recordPlatform(platform, clock);
  const deviation =
    options.offlineHeartbeats === undefined || options.offlineHeartbeats === 3
      ? ""
      : `; deliberate deviation: offline after ${options.offlineHeartbeats} heartbeats`;
  const limits = Object.entries(options.limits ?? {})
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  return {
    description: `hilfarm reference platform (in process, virtual time${deviation}${limits === "" ? "" : `; limits: ${limits}`})`,
    capabilities: new Set<Capability>(["virtual-time", "platform-internals"]),
    clock,
    loginAddress: platform.addresses.login,
    devices,
    apiUrl: platform.addresses.http,
    ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
    ...evidenceOf(options),
    settle: (promise, maxMs) =>
      clock.runUntilSettled(settleWithin(clock, promise, maxMs), { maxMs: maxMs + 1 }),
    close: async () => {
      await platform.close();
      detach?.();
    },
  };
}

/** Settings of hilfarm's platform as a target: deliberate deviations, and small limits (hostile-input suite). */
export interface EmulatedOptions {
  heartbeatSeconds?: number;
  offlineHeartbeats?: number;
  limits?: Partial<PlatformLimits>;
  /** The API then needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
}

export type PlatformTargetSpec =
  | ({ kind: "emulated" } & EmulatedOptions)
  | { kind: "external"; url: string; apiUrl?: string };

/** `emulated?<setting>=n`: each a positive integer. */
const emulatedSettings = {
  "offline-heartbeats": (spec, n) => {
    spec.offlineHeartbeats = n;
  },
  heartbeat: (spec, n) => {
    spec.heartbeatSeconds = n;
  },
  "max-connections": (spec, n) => {
    spec.limits = { ...spec.limits, maxConnections: n };
  },
  "max-pending-connections": (spec, n) => {
    spec.limits = { ...spec.limits, maxPendingConnections: n };
  },
  "max-pending-per-address": (spec, n) => {
    spec.limits = { ...spec.limits, maxPendingPerAddress: n };
  },
} satisfies Record<string, (spec: EmulatedOptions, n: number) => void>;

/**
 * Parses a platform target: `emulated`, `emulated?offline-heartbeats=2` (hilfarm's platform with a deliberate
 * deviation, to see what a failure looks like), `emulated?max-pending-per-address=50` (small limits, to see them
 * hit), or `tcp://host:port`, with `?api=http://host:port` where its northbound API is. Throws a UsageError naming
 * what is wrong.
 */
export function parsePlatformTarget(text: string): PlatformTargetSpec {
  if (text !== "emulated" && !text.startsWith("emulated?")) {
    const match = /^(tcp:\/\/[^?]+:\d+)(?:\?(.*))?$/.exec(text);
    if (match?.[1] === undefined)
      throw new UsageError(
        "target",
        `a target is emulated, emulated?<settings> or tcp://host:port[?api=http://host:port], got ${showValue(text)}`,
      );
    const spec: PlatformTargetSpec = { kind: "external", url: match[1] };
    for (const [key, value] of new URLSearchParams(match[2] ?? "")) {
      if (key !== "api")
        throw new UsageError("target", `unknown setting ${showValue(key)} in ${showValue(text)}; known: api`);
      if (!/^https?:\/\/[^/]+\/?$/.test(value))
        throw new UsageError(
          "target",
          `api in ${showValue(text)} must be http://host:port, got ${showValue(value)}`,
        );
      spec.apiUrl = value.replace(/\/$/, "");
    }
    return spec;
  }
  const spec: PlatformTargetSpec = { kind: "emulated" };
  for (const [key, value] of new URLSearchParams(text.slice("emulated?".length))) {
    if (key === "api-token") {
      if (!/^\S+$/.test(value))
        throw new UsageError("target", `api-token in the target must be a token without spaces`);
      spec.apiToken = value;
      continue;
    }
    const set = Object.hasOwn(emulatedSettings, key)
      ? emulatedSettings[key as keyof typeof emulatedSettings]
      : undefined;
    if (set === undefined)
      throw new UsageError(
        "target",
        `unknown setting ${showValue(key)} in ${showValue(text)}; known: ${[...Object.keys(emulatedSettings), "api-token"].join(", ")}`,
      );
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(
        "target",
        `${key} in ${showValue(text)} must be a positive integer, got ${showValue(value)}`,
      );
    set(spec, n);
  }
  return spec;
}

/**
 * The target `text` names (see `parsePlatformTarget`), started. `options` gives an external target's API (its URL,
 * when the text has none, and its token); hilfarm's own always has its API, and takes `options.apiToken` as its
 * token. Its frames go to `options.evidence`, if given.
 */
export function platformTarget(
  text: string,
  devices: readonly TestDevice[],
  options: ApiAccess & TargetEvidence = {},
): Promise<PlatformTarget> {
  const spec = parsePlatformTarget(text);
  if (spec.kind === "external") {
    const apiUrl = spec.apiUrl ?? options.apiUrl;
    return Promise.resolve(
      externalPlatformTarget(spec.url, devices, {
        ...(apiUrl === undefined ? {} : { apiUrl }),
        ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
        ...evidenceOf(options),
      }),
    );
  }
  const { kind: _kind, ...settings } = spec;
  return emulatedPlatformTarget(devices, {
    ...settings,
    ...(options.apiToken === undefined || settings.apiToken !== undefined
      ? {}
      : { apiToken: options.apiToken }),
    ...evidenceOf(options),
  });
}

function settleWithin<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<T> {
  return withDeadline(
    clock,
    promise,
    maxMs,
    () => new NotSettled(`nothing within ${maxMs} ms`),
    "target-deadline",
  );
}
