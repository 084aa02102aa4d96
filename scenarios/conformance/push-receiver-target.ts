import { type PushMisbehaviourChange, startPushReceiver } from "../../emulators/push-receiver/index.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import { createLogger } from "../../harness/log/logger.ts";
import type { Capability } from "../target/target.ts";
import { httpUrl, type OptionNames, optionName } from "./target-url.ts";

/**
 * "A push receiver under test" as the push-receiver suite (P1) sees it: the URL pushes go to and, when it checks
 * signatures, the app key and secret it checks them with. hilfarm's own (`emulatedPushReceiverTarget`, virtual time)
 * or anyone's at a URL (real time).
 */
export interface PushReceiverTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** `http(s)://host:port/path`. */
  readonly url: string;
  /** Signing on: the key and secret the receiver checks. Never shown. */
  readonly signing?: { appKey: string; appSecret: string };
  /** Bound on one answer (target time). */
  readonly answerMs: number;
  close(): Promise<void>;
}

export const EMULATED = "emulated";
export const DEFAULT_PUSH_ANSWER_MS = 10_000;
/** The key and secret hilfarm's emulated receiver checks. */
export const EMULATED_PUSH_SIGNING = {
  appKey: "hilfarm-push-conformance",
  appSecret: "c0nf0rmancePushSecret0123456789a",
} as const;

/** `http(s)://...`; a UsageError naming the URL option otherwise. */
export function pushUrl(text: string, names: OptionNames = {}): string {
  return httpUrl(text, "http(s)://host:port/path", names).href;
}

export interface PushReceiverTargetOptions {
  url: string;
  appKey?: string;
  appSecret?: string;
  clock?: Clock;
  answerMs?: number;
  description?: string;
  close?: () => Promise<void>;
  /** What the command calls the options (`url`, `app-key`, `app-secret`), for usage errors. */
  optionNames?: OptionNames;
}

/** A receiver somewhere (real time unless given a VirtualClock). */
export function pushReceiverTarget(options: PushReceiverTargetOptions): PushReceiverTarget {
  const names = options.optionNames;
  const url = pushUrl(options.url, names);
  const { appKey, appSecret } = options;
  if ((appKey === undefined || appKey === "") !== (appSecret === undefined || appSecret === ""))
    throw new UsageError(
      appKey === undefined || appKey === "" ? "app-key" : "app-secret",
      `a signing receiver needs both ${optionName("app-key", names)} and HILFARM_PUSH_APP_SECRET (${optionName("app-secret", names)}), or neither`,
    );
  const clock = options.clock ?? new RealClock();
  const signing = appKey && appSecret ? { appKey, appSecret } : undefined;
  return {
    description: options.description ?? `push receiver at ${url}, real time`,
    capabilities: new Set<Capability>(clock instanceof VirtualClock ? ["virtual-time"] : []),
    clock,
    url,
    ...(signing === undefined ? {} : { signing }),
    answerMs: options.answerMs ?? DEFAULT_PUSH_ANSWER_MS,
    close: options.close ?? (async () => undefined),
  };
}

export interface EmulatedPushReceiverOptions {
  /** Off: the receiver checks time and nonce only. Default on (EMULATED_PUSH_SIGNING). */
  signing?: boolean;
  /** The receiver's switches (abnormal, fail500, slowMs). */
  misbehaviour?: PushMisbehaviourChange;
}

/** hilfarm's push receiver (emulators/push-receiver) on 127.0.0.1, a free port, a VirtualClock. */
export async function emulatedPushReceiverTarget(
  options: EmulatedPushReceiverOptions = {},
): Promise<PushReceiverTarget> {
  const clock = new VirtualClock();
  const signing = options.signing === false ? undefined : { ...EMULATED_PUSH_SIGNING };
  const receiver = await startPushReceiver({
    clock,
    logger: createLogger({ level: "silent" }),
    ...(signing === undefined ? {} : { signing }),
    ...(options.misbehaviour === undefined ? {} : { misbehaviour: options.misbehaviour }),
    onRecord: () => undefined,
  });
  return pushReceiverTarget({
    url: receiver.url,
    ...(signing ?? {}),
    clock,
    description: `hilfarm's push receiver at ${receiver.url}, virtual time`,
    close: () => receiver.close(),
  });
}
