import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import type { LockType } from "../../harness/protocol/lock-api/endpoints/schema.ts";
import { cryptoRandom, type Random } from "../../harness/random/random.ts";
import type { Capability } from "../target/target.ts";
import { settleOn } from "./c-probe.ts";
import { httpUrl, type OptionNames, optionName } from "./target-url.ts";

/**
 * "A lock API under test" as the lock-API suite sees it: a base URL, the client id and secret it signs with, and the
 * locks it may use. hilfarm's own (`emulatedLockApiTarget`, virtual time) or anyone's at a URL (real time): a team's
 * staging cloud, or their own implementation of the seed.
 */
export interface LockApiTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** `http(s)://host:port`, no trailing slash. */
  readonly url: string;
  readonly clientId: string;
  /** 32 characters: ticket keys are AES-256 under it. Never shown. */
  readonly secret: string;
  /**
   * The locks the suite may use, one per lock type (a Zigbee one behind its gateway): it gives them passwords, users
   * and openings. A clause that needs a type the target does not name is not applicable, naming its flag.
   */
  readonly locks: Readonly<Partial<Record<LockType, string>>>;
  /** Where the suite draws passwords and names. */
  readonly random: Random;
  /** Bound on one answer (target time). */
  readonly answerMs: number;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  /** Emulated targets only (`misbehaviour`): the gateway's locks (Zigbee, hotel) stop answering it until the undo. */
  readonly silenceZigbee?: () => () => void;
  /** Emulated targets only: `code` typed at the keypad of `deviceId`; whether the lock opened. */
  readonly typeAtLock?: (deviceId: string, code: string) => Promise<{ opened: boolean }>;
  close(): Promise<void>;
}

/** How long one answer may take (the vendor's SDK waits no longer by default). */
export const DEFAULT_LOCK_ANSWER_MS = 10_000;

export interface LockApiTargetOptions {
  url: string;
  clientId: string;
  secret: string;
  locks?: Readonly<Partial<Record<LockType, string>>>;
  answerMs?: number;
  clock?: Clock;
  random?: Random;
  description?: string;
  capabilities?: readonly Capability[];
  silenceZigbee?: () => () => void;
  typeAtLock?: (deviceId: string, code: string) => Promise<{ opened: boolean }>;
  close?: () => Promise<void>;
  /** What the command calls the options (`url`, `client-id`, `secret`), for usage errors. */
  optionNames?: OptionNames;
}

/** The option that names a lock of each type the suite knows (`hilfarm conformance lock-api --wifi-lock ID`). */
export const lockFlags = {
  wifi: "wifi-lock",
  zigbee: "zigbee-lock",
  "keepalive-wifi": "keepalive-lock",
  "wifi-video": "video-lock",
  "wifi-access-control": "access-control",
  "zigbee-hotel": "hotel-lock",
} as const satisfies Partial<Record<LockType, string>>;

export type FlaggedLockType = keyof typeof lockFlags;

export const flaggedLockTypes = Object.keys(lockFlags) as FlaggedLockType[];

/** The option naming a lock of `type`, or the type itself for one the CLI has no option for. */
export const lockFlagOf = (type: LockType): string =>
  type in lockFlags ? `--${lockFlags[type as FlaggedLockType]}` : `a ${type} lock`;

/** `http(s)://host[:port]` without a trailing slash; a UsageError naming the URL option otherwise. */
export function lockApiBaseUrl(text: string, names: OptionNames = {}): string {
  const url = httpUrl(text, "http(s)://host:port", names);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** A lock API somewhere (real time unless given a VirtualClock). */
export function lockApiTarget(options: LockApiTargetOptions): LockApiTarget {
  const names = options.optionNames;
  const url = lockApiBaseUrl(options.url, names);
  if (options.clientId === "")
    throw new UsageError("client-id", `${optionName("client-id", names)} must not be empty`);
  if (Buffer.byteLength(options.secret) !== 32)
    throw new UsageError(
      "secret",
      `${optionName("secret", names)}: expected 32 characters (ticket keys are AES-256 under it), got ${Buffer.byteLength(options.secret)}`,
    );
  const locks = options.locks ?? {};
  for (const [type, value] of Object.entries(locks) as Array<[LockType, string | undefined]>) {
    const flag = lockFlagOf(type);
    if (value === "") throw new UsageError(flag.replace(/^--/, ""), `${flag} must not be empty`);
  }
  const clock = options.clock ?? new RealClock();
  const capabilities = new Set<Capability>([
    ...(clock instanceof VirtualClock ? (["virtual-time"] as const) : []),
    ...(options.capabilities ?? []),
  ]);
  return {
    description: options.description ?? `lock API at ${url}, real time`,
    capabilities,
    clock,
    url,
    clientId: options.clientId,
    secret: options.secret,
    locks: Object.fromEntries(Object.entries(locks).filter(([, id]) => id !== undefined)),
    random: options.random ?? cryptoRandom(),
    answerMs: options.answerMs ?? DEFAULT_LOCK_ANSWER_MS,
    settle: (promise, maxMs) => settleOn(clock, promise, maxMs),
    ...(options.silenceZigbee === undefined ? {} : { silenceZigbee: options.silenceZigbee }),
    ...(options.typeAtLock === undefined ? {} : { typeAtLock: options.typeAtLock }),
    close: options.close ?? (async () => undefined),
  };
}
