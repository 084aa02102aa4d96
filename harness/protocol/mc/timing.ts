/**
 * The spec's timing rules for Mc, written once for the device and the platform (docs/protocol-readings.md, "Timing
 * defaults"). Each is a default: the platform's configuration or a scenario may change it.
 */
export const mcTimingDefaults = {
  /** 5.2: a request unanswered after this is a failed send, resent with the same sequence. */
  responseTimeoutMs: 10_000,
  /** 5.2: failed sends of one request before its sender gives up (device: logs in again; platform: ends the session). */
  maxFailedSends: 3,
  /** 5.4.2.2: the heartbeat interval when the connect response (1005) gives none. */
  heartbeatSeconds: 30,
  /** 5.4.2.3, 5.4.2 (3): a device is offline after this many heartbeat intervals without a message... */
  offlineHeartbeats: 3,
  /** ...plus this. */
  offlineGraceMs: 10_000,
  /** 5.4.2.1: login retry after a failure... */
  loginRetryMs: 60_000,
  /** ...this many times; after that every `authInterval`. */
  loginRetries: 3,
  /** 5.4.2.1, 5.4.2.2: `authInterval` in seconds when the platform gives none. */
  authIntervalSeconds: 600,
  /** 5.4.3.1, 5.4.3.2: the state report follows the answer to a query or control within this. */
  stateReportWithinMs: 10_000,
  /** 5.4.3.3: a resource report split over several messages ends when the gap exceeds this many heartbeats. */
  resourceReportGapHeartbeats: 4,
  /** 5.4.2.2: connect over UDP until the device has logged in this many times since power-on, then TCP. */
  tcpAfterAuthentications: 3,
} as const;

/** What a requester needs of the timing (5.2). */
export interface RequestTiming {
  /** A request unanswered after this is a failed send. */
  readonly responseTimeoutMs: number;
  /** The failed send after which the requester gives up. */
  readonly maxFailedSends: number;
}

/** 5.4.2.3: offline after `offlineHeartbeats` heartbeat intervals + `offlineGraceMs` without any message. */
export function offlineAfterMs(
  heartbeatSeconds: number,
  offlineHeartbeats: number = mcTimingDefaults.offlineHeartbeats,
  offlineGraceMs: number = mcTimingDefaults.offlineGraceMs,
): number {
  return offlineHeartbeats * heartbeatSeconds * 1000 + offlineGraceMs;
}
