import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import type { PlatformEvents as PlatformEventsOf } from "../../harness/evidence/platform-events.ts";
import { createLogger } from "../../harness/log/logger.ts";
import { DEFAULT_MAX_FRAME_LENGTH, type Framing } from "../../harness/protocol/cts/envelope.ts";
import { type Random, randomSeed, seededRandom } from "../../harness/random/random.ts";
import { ConnectionAdmission } from "./admission.ts";
import { createBusinessHandler } from "./business.ts";
import type { ThirdPartyOperations } from "./c-interop/third-party-operations.ts";
import { FanoutOutlet } from "./fanout/index.ts";
import { FirmwareStore } from "./firmware/firmware.ts";
import { HandlerGuard, RateLimitedWarning } from "./guard.ts";
import { defaultLimits, type PlatformLimits } from "./limits.ts";
import { LoginTable } from "./logins.ts";
import { PlatformMetrics } from "./metrics.ts";
import { PlatformOperations } from "./operations.ts";
import { defaultTiming, type PlatformTiming } from "./options.ts";
import type { PlatformOptions } from "./platform-options.ts";
import { Presence } from "./presence.ts";
import type { PushSender } from "./push/push-sender.ts";
import type { Registry } from "./registry/index.ts";
import type { DeviceSession, RequestHandler, SessionEndReason } from "./session.ts";
import { StateStore } from "./state-store.ts";
import { StateReportWaiters } from "./state-waiters.ts";
import { textRecognizer, textSynthesizer } from "./voice.ts";

export type PlatformEvents = PlatformEventsOf<SessionEndReason>;

/** A connection server as logins see it: where devices reach it, and how many sessions it holds. */
export interface ConnectionEndpoint {
  readonly tcp: string;
  readonly udp: string;
  readonly load: number;
}

/**
 * What the surfaces of the reference platform share: the options, time and randomness, the devices and their state,
 * the counters and guards on input, the sessions, and what a started surface offers those after it.
 */
export interface PlatformContext {
  readonly options: PlatformOptions;
  readonly clock: Clock;
  /** Sequences. */
  readonly random: Random;
  /** Tokens and session keys. */
  readonly secretRandom: Random;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly timing: PlatformTiming;
  readonly limits: PlatformLimits;
  readonly framing: Framing;
  readonly maxFrameLength: number;
  /** Interface the device ports listen on. */
  readonly host: string;
  /** Host the login response names for the connection servers. */
  readonly advertisedHost: string;
  readonly store: StateStore;
  readonly metrics: PlatformMetrics;
  readonly events: EventEmitter<PlatformEvents>;
  readonly guard: HandlerGuard;
  readonly admission: ConnectionAdmission;
  /** Logins answered, until their connect. */
  readonly logins: LoginTable;
  /** The open session of each device, on whichever connection server. */
  readonly sessions: Map<string, DeviceSession>;
  readonly waiters: StateReportWaiters;
  /** Where device changes go: nowhere until the fanout surface connects a broker. */
  readonly fanout: FanoutOutlet;
  readonly presence: Presence;
  /** Answers device requests (5.4.3). */
  readonly handler: RequestHandler;
  readonly firmware: FirmwareStore;
  readonly operations: PlatformOperations;
  /** Set by the mc-connection surface: a login answer names the least loaded one. */
  connectionServers: ConnectionEndpoint[];
  /** Set by the api surface: the HTTP server's base URL, which firmware URLs in 2025 start with. */
  httpBase: string;
  /** Set by the c-interop surface: the calls of C22-C31 on the third-party platform (chapter 7). */
  thirdParty: ThirdPartyOperations | undefined;
  /** Set by the push surface while it runs: the message-push sender, for the northbound API's push routes. */
  push: PushSender | undefined;
}

export async function createPlatformContext(options: PlatformOptions): Promise<PlatformContext> {
  const clock = options.clock ?? new RealClock();
  const random = options.random ?? seededRandom(randomSeed());
  const logger = options.logger ?? createLogger({ name: "platform" });
  const timing: PlatformTiming = { ...defaultTiming, ...options.timing };
  const host = options.host ?? "127.0.0.1";
  const { registry } = options;
  const store = new StateStore();
  for (const device of registry.all()) store.register(device.deviceId, device.model, device.parentId);
  const metrics = new PlatformMetrics();
  const limits: PlatformLimits = { ...defaultLimits(), ...options.limits };
  const firmware = new FirmwareStore(limits);
  if (options.firmwareDir !== undefined) await firmware.loadDirectory(options.firmwareDir);
  const warnings = new RateLimitedWarning(logger, clock);
  const fanout = new FanoutOutlet();
  const presence = new Presence(store, metrics, fanout, clock);
  const sessions = new Map<string, DeviceSession>();
  const waiters = new StateReportWaiters(clock);
  const maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  const context: PlatformContext = {
    options,
    clock,
    random,
    secretRandom: options.secretRandom ?? random,
    logger,
    registry,
    timing,
    limits,
    framing: options.framing ?? "cts-json",
    maxFrameLength,
    host,
    advertisedHost: options.advertisedHost ?? (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host),
    store,
    metrics,
    events: new EventEmitter<PlatformEvents>(),
    guard: new HandlerGuard(metrics, warnings),
    admission: new ConnectionAdmission(limits, metrics, warnings),
    // A login not followed by its connect within this long is forgotten (the device logs in again).
    logins: new LoginTable(() => clock.now(), 6 * timing.responseTimeoutMs),
    sessions,
    waiters,
    fanout,
    presence,
    handler: createBusinessHandler({
      clock,
      timing,
      registry,
      store,
      fanout: {
        publish: (deviceId, kind, payload) => {
          fanout.publish(deviceId, kind, payload);
          if (kind === "online") presence.recount();
        },
      },
      logger,
      recognizer: options.recognizer ?? textRecognizer,
      synthesizer: options.synthesizer ?? textSynthesizer,
      onStateReport: (deviceId) => waiters.reported(deviceId),
    }),
    firmware,
    operations: new PlatformOperations({
      timing,
      store,
      firmware,
      sessionOf: (deviceId) => sessions.get(deviceId),
      httpBase: () => context.httpBase,
      reportsSoFar: (deviceId) => waiters.count(deviceId),
      waitForStateReport: (deviceId, ms) => waiters.wait(deviceId, ms),
      maxFrameLength,
      markUnbound: (deviceId) => presence.markUnbound(deviceId),
      thirdParty: () => context.thirdParty,
    }),
    connectionServers: [],
    httpBase: "",
    thirdParty: undefined,
    push: undefined,
  };
  return context;
}

/**
 * First step of a stop, while every surface still runs: each session ends ("stopped", published and counted) and
 * each wait for a state report with it.
 */
export function endSessions(context: PlatformContext): void {
  for (const session of [...context.sessions.values()]) session.end("stopped");
  context.waiters.cancelAll();
}

/** Last step of a stop, once every surface is closed: the firmware store's temporary files. */
export async function closePlatformContext(context: PlatformContext): Promise<void> {
  await context.firmware.close();
}
