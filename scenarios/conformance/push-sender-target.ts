import { pino } from "pino";
import { closePlatformContext, createPlatformContext } from "../../emulators/platform/context.ts";
import type { PushReceiverOptions } from "../../emulators/platform/platform-options.ts";
import { pushSurface } from "../../emulators/platform/push/surface.ts";
import { Registry } from "../../emulators/platform/registry/index.ts";
import { startSurfaces } from "../../emulators/platform/surface.ts";
import {
  type PushReceiver,
  type PushRecord,
  startPushReceiver,
} from "../../emulators/push-receiver/index.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { createLogger } from "../../harness/log/logger.ts";
import { seededRandom } from "../../harness/random/random.ts";
import type { Capability } from "../target/target.ts";

/**
 * "A push sender under test" as the push-sender suite (P2) sees it: hilfarm's receiver (emulators/push-receiver, on
 * 127.0.0.1, signing off: the suite checks the sign itself) that the sender is pointed at, what the sender was
 * configured with (key, secret, client ids), and a trigger that makes it push one message.
 */
export interface PushSenderTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** The suite's receiver: point the sender under test at `receiver.url`. */
  readonly receiver: PushReceiver;
  /** Every request the receiver took, in order. */
  readonly records: readonly PushRecord[];
  /** Signing on: the key and secret the sender was given. Never shown. */
  readonly signing?: { appKey: string; appSecret: string };
  readonly clientIds: readonly string[];
  /** Makes the sender push one message (a device change). */
  trigger(): Promise<void>;
  /** hilfarm's sender only: resumes pushing to the receiver after it was stopped. */
  readonly resume?: () => Promise<void>;
  close(): Promise<void>;
}

/** The seed's "5 consecutive abnormal answers". */
export const ABNORMAL_LIMIT = 5;

export interface PushSenderTargetOptions {
  clock?: Clock;
  signing?: { appKey: string; appSecret: string };
  clientIds: readonly string[];
  /** Where the receiver listens (default 127.0.0.1). */
  host?: string;
  /** Called once the receiver listens: start or point the sender under test at `url`; returns the trigger. */
  attach(
    url: string,
  ): Promise<{ trigger(): Promise<void>; resume?: () => Promise<void>; close?: () => Promise<void> }>;
  description?: string;
}

/** The suite's receiver with the sender under test attached to it. */
export async function pushSenderTarget(options: PushSenderTargetOptions): Promise<PushSenderTarget> {
  const clock = options.clock ?? new RealClock();
  const records: PushRecord[] = [];
  const receiver = await startPushReceiver({
    clock,
    logger: createLogger({ level: "silent" }),
    ...(options.host === undefined ? {} : { host: options.host }),
    onRecord: (r) => records.push(r),
  });
  let attached: Awaited<ReturnType<PushSenderTargetOptions["attach"]>>;
  try {
    attached = await options.attach(receiver.url);
  } catch (error) {
    await receiver.close();
    throw error;
  }
  return {
    description: options.description ?? `push sender pushing to ${receiver.url}, real time`,
    capabilities: new Set<Capability>(clock instanceof VirtualClock ? ["virtual-time"] : []),
    clock,
    receiver,
    records,
    ...(options.signing === undefined ? {} : { signing: options.signing }),
    clientIds: options.clientIds,
    trigger: attached.trigger,
    ...(attached.resume === undefined ? {} : { resume: attached.resume }),
    async close() {
      await attached.close?.();
      await receiver.close();
    },
  };
}

const LOCK = {
  deviceId: "0000000000000000conflock",
  pin: "CONFPIN0123456789abcdefghijklmno",
  model: "LOCK-01",
};
export const EMULATED_SENDER_SIGNING = {
  appKey: "hilfarm-push-sender",
  appSecret: "c0nf0rmanceSenderSecret012345678",
} as const;

export interface EmulatedPushSenderOptions {
  /** Overrides of the receiver's options the platform pushes with (a misconfigured sender). */
  sender?: Partial<Omit<PushReceiverOptions, "url">>;
}

/**
 * hilfarm's platform with its push surface aimed at the suite's receiver, on a VirtualClock; a trigger is a state
 * change of a lock it knows, published on its fan-out.
 */
export async function emulatedPushSenderTarget(
  options: EmulatedPushSenderOptions = {},
): Promise<PushSenderTarget> {
  const clock = new VirtualClock();
  const signing = { ...EMULATED_SENDER_SIGNING };
  const clientIds = ["conformance-app-1", "conformance-app-2"];
  let battery = 100;
  return pushSenderTarget({
    clock,
    signing,
    clientIds,
    async attach(url) {
      const context = await createPlatformContext({
        registry: Registry.fromDevices([LOCK]),
        clock,
        random: seededRandom(18),
        logger: pino({ level: "silent" }),
        loginPort: 0,
        tcpPort: 0,
        udpPort: 0,
        httpPort: 0,
        mqtt: "none",
        push: { receivers: [{ url, ...signing, clientIds, ...options.sender }] },
      });
      const started = await startSurfaces([pushSurface], context);
      return {
        trigger: async () => {
          battery = battery > 1 ? battery - 1 : 100;
          context.fanout.publish(LOCK.deviceId, "state", {
            statusName: "BATTERY",
            curStatusValue: String(battery),
          });
        },
        resume: async () => {
          context.push?.resume(0);
        },
        close: async () => {
          await started.close();
          await closePlatformContext(context);
        },
      };
    },
    description: "hilfarm's platform (push surface), virtual time",
  });
}
