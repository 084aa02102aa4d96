import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import { cryptoRandom, type Random } from "../../harness/random/random.ts";
import type { Capability } from "../target/target.ts";
import { settleOn } from "./c-probe.ts";

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
  /** A Wi-Fi lock the suite may give temporary passwords to; the clauses that need one are n/a without it. */
  readonly wifiLock?: string;
  /** A Zigbee lock (behind its gateway) likewise. */
  readonly zigbeeLock?: string;
  /** Where the suite draws passwords and names. */
  readonly random: Random;
  /** Bound on one answer (target time). */
  readonly answerMs: number;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  /** Emulated targets only (`misbehaviour`): the Zigbee lock stops answering its gateway until the undo is called. */
  readonly silenceZigbee?: () => () => void;
  /** Emulated targets only: `code` typed at the keypad of `deviceId` (openings for the logs). */
  readonly typeAtLock?: (deviceId: string, code: string) => Promise<void>;
  close(): Promise<void>;
}

/** How long one answer may take (the vendor's SDK waits no longer by default). */
export const DEFAULT_LOCK_ANSWER_MS = 10_000;

export interface LockApiTargetOptions {
  url: string;
  clientId: string;
  secret: string;
  wifiLock?: string;
  zigbeeLock?: string;
  answerMs?: number;
  clock?: Clock;
  random?: Random;
  description?: string;
  capabilities?: readonly Capability[];
  silenceZigbee?: () => () => void;
  typeAtLock?: (deviceId: string, code: string) => Promise<void>;
  close?: () => Promise<void>;
}

/** `http(s)://host[:port]` without a trailing slash; a UsageError naming `--url` otherwise. */
export function lockApiBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError("url", `--url must be http(s)://host:port or \`emulated\`, got ${showValue(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError("url", `--url must be http(s)://host:port or \`emulated\`, got ${showValue(text)}`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** A lock API somewhere (real time unless given a VirtualClock). */
export function lockApiTarget(options: LockApiTargetOptions): LockApiTarget {
  const url = lockApiBaseUrl(options.url);
  if (options.clientId === "") throw new UsageError("client-id", "--client-id must not be empty");
  if (Buffer.byteLength(options.secret) !== 32)
    throw new UsageError(
      "secret",
      `--secret: expected 32 characters (ticket keys are AES-256 under it), got ${Buffer.byteLength(options.secret)}`,
    );
  for (const [field, value] of [
    ["wifi-lock", options.wifiLock],
    ["zigbee-lock", options.zigbeeLock],
  ] as const)
    if (value === "") throw new UsageError(field, `--${field} must not be empty`);
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
    ...(options.wifiLock === undefined ? {} : { wifiLock: options.wifiLock }),
    ...(options.zigbeeLock === undefined ? {} : { zigbeeLock: options.zigbeeLock }),
    random: options.random ?? cryptoRandom(),
    answerMs: options.answerMs ?? DEFAULT_LOCK_ANSWER_MS,
    settle: (promise, maxMs) => settleOn(clock, promise, maxMs),
    ...(options.silenceZigbee === undefined ? {} : { silenceZigbee: options.silenceZigbee }),
    ...(options.typeAtLock === undefined ? {} : { typeAtLock: options.typeAtLock }),
    close: options.close ?? (async () => undefined),
  };
}
