import { mcTimingDefaults, offlineAfterMs as offlineAfter } from "../../harness/protocol/mc/timing.ts";

/**
 * Timing and behaviour of the reference platform. Defaults are the spec's (docs/protocol-readings.md, "Timing
 * defaults").
 */
export interface PlatformTiming {
  /** `heartBeat` sent in 1005, seconds (5.4.2.2). */
  heartbeatSeconds: number;
  /** `authInterval` sent in 1005, seconds (5.4.2.1); `undefined` leaves it out of the response. */
  authIntervalSeconds: number | undefined;
  /** A request unanswered after this is a failed send and is resent with the same sequence (5.2). */
  responseTimeoutMs: number;
  /** Consecutive failed sends after which the platform drops the session (5.2). */
  maxFailedSends: number;
  /** Offline after this many heartbeat intervals without any message, plus `offlineGraceMs` (5.4.2.3). */
  offlineHeartbeats: number;
  offlineGraceMs: number;
  /** How long the northbound API waits for the state report that follows a control or query (5.4.3.1-2). */
  stateReportWaitMs: number;
  /** A multi-part resource report ends when the gap between parts exceeds this many heartbeats (5.4.3.3). */
  resourceReportGapHeartbeats: number;
  /** A device clock further off than this is logged (it is still accepted). */
  clockSkewWarnMs: number;
}

export const defaultTiming: PlatformTiming = {
  heartbeatSeconds: mcTimingDefaults.heartbeatSeconds,
  authIntervalSeconds: mcTimingDefaults.authIntervalSeconds,
  responseTimeoutMs: mcTimingDefaults.responseTimeoutMs,
  maxFailedSends: mcTimingDefaults.maxFailedSends,
  offlineHeartbeats: mcTimingDefaults.offlineHeartbeats,
  offlineGraceMs: mcTimingDefaults.offlineGraceMs,
  stateReportWaitMs: mcTimingDefaults.stateReportWithinMs,
  resourceReportGapHeartbeats: mcTimingDefaults.resourceReportGapHeartbeats,
  // hilfarm's own option: the spec sets no limit.
  clockSkewWarnMs: 300_000,
};

/** 5.4.2.3: offline after 3 heartbeat intervals + 10 s without any message. */
export function offlineAfterMs(timing: PlatformTiming): number {
  return offlineAfter(timing.heartbeatSeconds, timing.offlineHeartbeats, timing.offlineGraceMs);
}
