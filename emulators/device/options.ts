import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { Connector } from "../../harness/link/socket-link.ts";
import type { Framing } from "../../harness/protocol/cts/envelope.ts";
import { mcTimingDefaults } from "../../harness/protocol/mc/timing.ts";
import type { Random } from "../../harness/random/random.ts";
import type { DeviceObserver } from "./device-events.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import type { DeviceModel } from "./model.ts";

/**
 * The device side's timing (docs/protocol-readings.md, "Timing defaults"). Defaults are the spec's; scenarios may
 * change them.
 */
export interface DeviceTiming {
  /** A request unanswered after this is a failed send, resent with the same sequence (5.2). */
  responseTimeoutMs: number;
  /** Consecutive failed sends before the device logs in again (5.2). */
  maxFailedSends: number;
  /** Login retry after a failure (5.4.2.1)... */
  loginRetryMs: number;
  /** ...this many times; after that, the platform's `authInterval`, or `defaultAuthIntervalSeconds`. */
  loginRetries: number;
  defaultAuthIntervalSeconds: number;
  /** Heartbeat interval when the connect response gives none (5.4.2.2). */
  defaultHeartbeatSeconds: number;
  /** Connect over UDP until the device has authenticated this many times since power-on, then TCP (5.4.2.2). */
  tcpAfterAuthentications: number;
}

/** Frozen: every device that changes none of it shares this one. */
export const defaultDeviceTiming: DeviceTiming = Object.freeze({
  responseTimeoutMs: mcTimingDefaults.responseTimeoutMs,
  maxFailedSends: mcTimingDefaults.maxFailedSends,
  loginRetryMs: mcTimingDefaults.loginRetryMs,
  loginRetries: mcTimingDefaults.loginRetries,
  defaultAuthIntervalSeconds: mcTimingDefaults.authIntervalSeconds,
  defaultHeartbeatSeconds: mcTimingDefaults.heartbeatSeconds,
  tcpAfterAuthentications: mcTimingDefaults.tcpAfterAuthentications,
});

/** Which transport a device connects over: the spec's rule, or one forced (e.g. a TCP-only module). */
export type TransportChoice = "auto" | "tcp" | "udp";

export interface EmulatedDeviceOptions {
  deviceId: string;
  pin: string;
  model: DeviceModel;
  /** `host:port` of the platform's login server. */
  loginAddress: string;
  clock: Clock;
  random: Random;
  logger: Logger;
  connector: Connector;
  timing?: Partial<DeviceTiming>;
  transport?: TransportChoice;
  framing?: Framing;
  misbehaviour?: Partial<Misbehaviour>;
  /** Told of every event, with the device: one shared observer serves a whole farm without a closure per device. */
  observer?: DeviceObserver;
}
