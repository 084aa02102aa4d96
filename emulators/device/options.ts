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

export const defaultDeviceTiming: DeviceTiming = {
  responseTimeoutMs: 10_000,
  maxFailedSends: 3,
  loginRetryMs: 60_000,
  loginRetries: 3,
  defaultAuthIntervalSeconds: 600,
  defaultHeartbeatSeconds: 30,
  tcpAfterAuthentications: 3,
};

/** Which transport a device connects over: the spec's rule, or one forced (e.g. a TCP-only module). */
export type TransportChoice = "auto" | "tcp" | "udp";
