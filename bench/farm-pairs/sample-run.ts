import type { FarmRunSummary } from "./run-summary.ts";

/** A 100,000-device run at 2,000 a second that met aim 1 and not aim 2, with `over` in its place: for tests. */
export const sampleRun = (over: Partial<FarmRunSummary>): FarmRunSummary => ({
  endedAt: "2026-12-07T20:20:00.000Z",
  devices: 100_000,
  ramp: 2000,
  onlineAtEnd: 100_000,
  errors: 0,
  loginTimeouts: 0,
  onlinePerSecond: 1500,
  loginP99Ms: 250,
  inFlightAtMost: 500,
  longestHoldSeconds: 30,
  platformCoreWaitSeconds: 50,
  workerCoreWaitSeconds: 400,
  timersLate: { p99: 260, p999: 420 },
  steadyHeartbeat: { p50: 1.4, p99: 43.1, p999: 75.3 },
  cpuPerDeviceUs: 1228,
  coresBusy: "91 %",
  ...over,
});
