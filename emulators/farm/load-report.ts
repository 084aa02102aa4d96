/** What `hilfarm load` measured, as written to report.json and drawn by reports/load-html.ts. */

import type { RampHold } from "./ramp-pacing.ts";

/**
 * What a load run times: round trips (the first four device side, control by whoever issues the controls);
 * `farm-delay`, the farm's own lateness (each worker's delay probe, harness/clock/delay-probe.ts), to read them against;
 * and `timer-late`, how late the workers' timer wheels fired what was due (heartbeats, resends, the ramp's ticks) beyond
 * their resolution (FARM_TICK_MS): whether the platform was sent the load asked, when it was asked.
 */
export const loadLatencyKinds = [
  "login",
  "connect",
  "heartbeat",
  "report",
  "control",
  "farm-delay",
  "timer-late",
] as const;
export type LoadLatencyKind = (typeof loadLatencyKinds)[number];

/** The kinds that are samples of the farm's own timing, not round trips. */
export const isFarmTiming = (kind: LoadLatencyKind): boolean =>
  kind === "farm-delay" || kind === "timer-late";

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Bucketed counts for the histogram plot: upper bound of each bucket (ms) and how many fell in it. */
  buckets: Array<{ upToMs: number; count: number }>;
}

export interface WorkerSummary {
  workerId: string;
  host: string;
  shards: number[];
  devices: number;
  /** Devices online at the end of the run on this worker. */
  online: number;
  rssBytes: number;
  /** The most RSS the worker reported during the run (once a second); absent from workers that do not report it. */
  peakRssBytes?: number;
  /** RSS before the worker built its devices: what the devices cost is the difference. */
  baselineRssBytes?: number;
  /** CPU seconds (user + system) the worker used during the run. */
  cpuSeconds: number;
  /**
   * Seconds the worker's main thread waited for a core during the run, runnable but not running (Linux's
   * /proc/<pid>/schedstat); absent elsewhere and from workers of versions before it. Set beside the run's length, it
   * tells a worker short of CPU, whose devices read their answers late, from a platform slow to answer.
   */
  coreWaitSeconds?: number;
  /**
   * Its shard's ramp by its own clock, seconds after the run's first power-on: its first device powered on, its
   * last, and all its devices first online at once (each absent until it happened); and how long the worker held its
   * ramp while it ran behind (emulators/farm/ramp-pacing.ts), s, absent when it never did.
   */
  ramp?: {
    firstPowerOnSeconds: number;
    lastPowerOnSeconds?: number;
    allOnlineSeconds?: number;
    heldSeconds?: number;
  };
  state: "finished" | "lost";
  /**
   * Set when the worker went without a snapshot for longer than the coordinator's late limit (default 10 s) at least
   * once: the longest such silence, s. A worker late but not lost was starved of CPU or held up, not gone.
   */
  longestSilenceS?: number;
  /** Set when the worker was noticed gone: when, and how. */
  lostAt?: string;
  lostReason?: string;
}

export interface ShardSummary {
  shard: number;
  devices: number;
  /** Who ran it, in order (several when it was reassigned). */
  workers: string[];
  state: "finished" | "reassigned" | "lost";
  note?: string;
}

/** From this share of the CPU taken by the hypervisor, a run's report and `hilfarm load` warn that it stalled the run. */
export const STEAL_WARNING_PERCENT = 5;

export interface LoadReport {
  kind: "hilfarm-load/1";
  harness: { name: "hilfarm"; version: string; node: string };
  startedAt: string;
  finishedAt: string;
  /** Why the run ended: the steady duration elapsed, a stop condition (which one), or Ctrl-C. */
  stopReason: string;
  seed: number;
  target: { platform: string; description: string };
  broker: string;
  profile: {
    devices: number;
    rampPerSecond: number;
    /**
     * A worker held its ramp while its delay probe or its wheel's ramp tick ran more than this many ms late, or never
     * (`"off"`; ramp-pacing.ts, `hilfarm load --ramp-hold`). Absent from reports of earlier versions, whose workers held
     * at 100 ms (on the probe alone) or not at all.
     */
    rampHold?: RampHold;
    steadySeconds: number;
    churnPerSecond: number;
    controlsPerSecond: number;
    faults?: string;
    stopOn: string[];
  };
  machine: {
    cpus: number;
    cpuModel: string;
    totalMemoryBytes: number;
    platform: string;
    /**
     * The share of this machine's CPU (all cores) the hypervisor took during the run, where Linux tells it: every
     * process here stalled that much at random, and the percentiles include those stalls.
     */
    cpuStolenPercent?: number;
    /** `--separate-cpus`: the CPUs the local reference platform and the local workers were kept on. */
    separateCpus?: { platform: number[]; workers: number[] };
    /** `--idle-workers`: the local workers ran in Linux's idle scheduling class. */
    idleWorkers?: boolean;
  };
  totals: {
    devices: number;
    /** Most devices online at once. */
    peakOnline: number;
    onlineAtEnd: number;
    framesOut: number;
    framesIn: number;
    framesPerSecond: number;
    logins: number;
    connects: number;
    heartbeats: number;
    reports: number;
    controls: number;
    /** Worker processes' RSS at the end above their baseline, divided by the devices they held. */
    rssBytesPerDevice: number;
    /**
     * The same at each worker's peak RSS: what a machine must have for the devices. The RSS at the end follows the
     * collector (it may just have given memory back); the peak does not. Absent when a worker did not report it.
     */
    peakRssBytesPerDevice?: number;
    workerRssBytes: number;
    /** Each worker's peak RSS, summed. */
    workerPeakRssBytes?: number;
    workerCpuSeconds: number;
    /** Each worker's `coreWaitSeconds`, summed; absent when a worker did not report it. */
    workerCoreWaitSeconds?: number;
    lostDevices: number;
  };
  latency: Record<LoadLatencyKind, LatencySummary>;
  /** Round trips from the moment every device was ramped and online (or a minute after the ramp) to the end. */
  steady?: { fromSeconds: number; latency: Record<LoadLatencyKind, LatencySummary> };
  /** Errors by kind (`login-refused`, `login-timeout`, `resend`, `relogin`, `control-504`, ...). */
  errors: Record<string, number>;
  /**
   * Devices online and devices powered on so far, sampled once a second: seconds since start (`poweredOn` is absent
   * from reports written before it was added).
   */
  online: Array<{ t: number; online: number; poweredOn?: number }>;
  /**
   * The ramp timed by the workers' own clocks, to the millisecond (workers on several machines: as far apart as their
   * clocks): when the first device powered on; seconds from then to the last device powered on, and to the moment
   * the last shard had all its devices online. Each absent when it never happened, and from reports before it.
   * `heldSeconds`: the longest any worker held its ramp while it ran behind (emulators/farm/ramp-pacing.ts).
   */
  ramp?: {
    firstPowerOnAt: string;
    lastPowerOnSeconds?: number;
    allOnlineSeconds?: number;
    heldSeconds?: number;
  };
  /** Why `ramp` is absent though workers timed their ramps (a worker's clock far off, a shard that sent none). */
  rampUntimed?: string;
  workers: WorkerSummary[];
  shards: ShardSummary[];
  /** The platform's own counters, when hilfarm can read them (its /metrics), to check the harness's numbers. */
  platform?: {
    /** Sessions online as the run ended, read before the workers stopped their devices. */
    sessionsOnline?: number;
    logins?: number;
    connects?: number;
    heartbeats?: number;
    framesIn?: number;
    /**
     * The platform's own delay over its whole run (`hilfarm platform`'s delay probe): its p99 lies at or under this
     * bucket bound (ms); absent when it lies beyond the last bound (5 s) or the platform has no probe.
     */
    ownDelayP99UpToMs?: number;
    /** The same over the steady window (its `/metrics` read when the run became steady, and at the end). */
    ownDelaySteadyP99UpToMs?: number;
    rssBytes?: number;
    /** The most RSS each of its processes held during the run (the kernel's high-water mark), summed. */
    peakRssBytes?: number;
    /** RSS of a platform started by hilfarm once it was ready: its registry loaded, no device yet. */
    readyRssBytes?: number;
    cpuSeconds?: number;
    /** Seconds its processes' main threads waited for a core (Linux), summed, as `coreWaitSeconds` of a worker. */
    coreWaitSeconds?: number;
  };
  /** Per stop condition: whether it tripped and the value seen. */
  stopConditions: Array<{ condition: string; tripped: boolean; seen: string }>;
  /**
   * A mixed fleet's real devices, one row each (first in the report, marked): how each attached and how often it
   * was online (the platform's API sampled every 2 s), or why that is unknown.
   */
  real?: Array<{
    deviceId: string;
    real: true;
    model?: string;
    attach: string;
    onlineAtEnd?: boolean;
    /** Share of the samples in which the device was online, 0-1. */
    onlineShare?: number;
    samples?: number;
    state?: string;
  }>;
}
