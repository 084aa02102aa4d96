import { lanKeyFromPlatform } from "../../emulators/app/platform-lan-key.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { withDeadline } from "../../harness/clock/deadline.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import { splitAddress } from "../../harness/link/socket-link.ts";
import { DEFAULT_FLAG_ORDER, type FlagOrder } from "../../harness/protocol/md/discovery.ts";
import { cryptoRandom, type Random } from "../../harness/random/random.ts";
import { type Capability, NotSettled } from "./target.ts";

/** What the platform gives an app for its `rand` (6.2.2): the lanKey, and how long it lives in seconds. */
export interface LanKeyGrant {
  lanKey: string;
  liveTime: number;
}

/** The device's statuses as its platform holds them, from the Mc side: `status[serialId][statusName]`. */
export type McStatuses = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** How a suite sees the device's Mc state on a platform (the Mc/Md consistency clause). */
export interface McView {
  readonly description: string;
  /** The statuses the platform holds for the device now; undefined when it knows no such device. */
  statuses(deviceId: string): Promise<McStatuses | undefined>;
}

/**
 * "The device's LAN side" as the Md suite sees it (chapter 6): where it answers searches and takes control clients,
 * where an app gets its lanKeys, and whether the suite may move time.
 */
export interface LanTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  readonly deviceId: string;
  readonly model: string;
  /** UDP `host:port` of 6.2.1 discovery (7680 on a LAN). */
  readonly discovery: string;
  /** TCP `host:port` of the control port (7681 on a LAN). */
  readonly control: string;
  /** Where the answer's three flags sit; the struct order unless a lab says otherwise. */
  readonly flagOrder: FlagOrder;
  /** Can the suite move time (the 120 s onConfig window, a lanKey's liveTime)? */
  readonly virtualTime: boolean;
  /** The app's randomness: its `rand`s. */
  readonly random: Random;
  /** The lanKey for `rand`: from the platform's API, or computed from the PIN. */
  credentials(rand: string): Promise<LanKeyGrant>;
  /** The device's Mc state on its platform, when the suite can see it. */
  readonly mc?: McView;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

export interface LanTargetOptions {
  deviceId: string;
  model: string;
  discovery: string;
  control: string;
  credentials(rand: string): Promise<LanKeyGrant>;
  clock: Clock;
  /** Default: whether `clock` is a VirtualClock. */
  virtualTime?: boolean;
  flagOrder?: FlagOrder;
  random?: Random;
  mc?: McView;
  description?: string;
  /** What closing the target also closes (an emulated device and its platform). */
  close?: () => Promise<void>;
}

/** Checks a `host:port`; throws a UsageError naming `field`. */
export function lanAddress(field: string, text: string): string {
  try {
    splitAddress(text);
  } catch {
    throw new UsageError(field, `--${field} must be host:port, got ${showValue(text)}`);
  }
  return text;
}

/** A LAN target: a device on the bench (real clock) or an emulated one (its VirtualClock). */
export function lanTarget(options: LanTargetOptions): LanTarget {
  const { clock } = options;
  const virtual = clock instanceof VirtualClock ? clock : undefined;
  const virtualTime = options.virtualTime ?? virtual !== undefined;
  return {
    description:
      options.description ??
      `LAN side of ${options.deviceId} (discovery ${options.discovery}, control ${options.control}${virtualTime ? ", virtual time" : ""})`,
    capabilities: new Set<Capability>(virtualTime ? ["virtual-time"] : []),
    clock,
    deviceId: options.deviceId,
    model: options.model,
    discovery: lanAddress("lan-discovery", options.discovery),
    control: lanAddress("lan-control", options.control),
    flagOrder: options.flagOrder ?? DEFAULT_FLAG_ORDER,
    virtualTime,
    random: options.random ?? cryptoRandom(),
    credentials: options.credentials,
    ...(options.mc === undefined ? {} : { mc: options.mc }),
    settle: (promise, maxMs) => {
      const bounded = settleWithin(clock, promise, maxMs);
      return virtual === undefined ? bounded : virtual.runUntilSettled(bounded, { maxMs: maxMs + 1 });
    },
    close: options.close ?? (async () => undefined),
  };
}

/** 6.2.2: the lanKey from the platform's API (`POST /api/devices/:id/lan-key`), as an app gets it. */
export function platformCredentials(
  api: string,
  deviceId: string,
  apiToken?: string,
): (rand: string) => Promise<LanKeyGrant> {
  return async (rand) => {
    const { lanKey, liveTime } = await lanKeyFromPlatform({ api, deviceId, rand, apiToken });
    return { lanKey, liveTime };
  };
}

/** A platform whose state store is at hand (hilfarm's own, in this process). */
export interface StoreHolder {
  readonly store: { get(deviceId: string): { status: McStatuses } | undefined };
}

/** The Mc state from hilfarm's platform in this process. */
export function mcFromPlatform(platform: StoreHolder, description = "hilfarm's platform"): McView {
  return {
    description,
    statuses: async (deviceId) => platform.store.get(deviceId)?.status,
  };
}

/** The Mc state from a platform's northbound API: `GET <api>/api/devices/:id` gives `status`. */
export function mcFromApi(api: string, apiToken?: string): McView {
  const base = api.replace(/\/+$/, "");
  return {
    description: `the platform API at ${base}`,
    statuses: async (deviceId) => {
      const response = await fetch(`${base}/api/devices/${encodeURIComponent(deviceId)}`, {
        headers: apiToken === undefined ? {} : { authorization: `Bearer ${apiToken}` },
      });
      if (response.status === 404) return undefined;
      const body = (await response.json()) as { status?: McStatuses };
      return body.status ?? {};
    },
  };
}

function settleWithin<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<T> {
  return withDeadline(
    clock,
    promise,
    maxMs,
    () => new NotSettled(`nothing within ${maxMs} ms`),
    "lan-target-deadline",
  );
}
