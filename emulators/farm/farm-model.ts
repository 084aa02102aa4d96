import type { ShardAssignment, WorkerSnapshot, WorkerStatus } from "./farm-messages.ts";
import { type EncodedLatencies, LatencyHistograms } from "./latency-histograms.ts";
import type { ShardSummary, WorkerSummary } from "./load-report.ts";
import type { RampHold } from "./ramp-pacing.ts";
import type { StopCondition } from "./stop-conditions.ts";

export interface LoadProfile {
  rampPerSecond: number;
  /** When a worker holds its ramp (`--ramp-hold`); absent: at RAMP_HOLD_LATE_MS. */
  rampHold?: RampHold;
  steadySeconds: number;
  churnPerSecond: number;
  controlsPerSecond: number;
  faults?: string;
  stopOn: StopCondition[];
}

/** Why a run ended. `text` is what the report says; `kind` alone decides the exit code. */
export type StopReason =
  | { kind: "completed"; text: string }
  | { kind: "stop-condition"; condition: string; seen: string; text: string }
  | { kind: "all-workers-lost"; text: string }
  | { kind: "interrupted"; text: string }
  /** The ramp and steady duration ran out, but a shard was lost with no spare to take it. */
  | { kind: "lost-devices"; devices: number; text: string }
  /** The ramp and steady duration ran out, and no device ever came online. */
  | { kind: "no-device-online"; text: string };

/** `hilfarm load`'s exit code: 0 when the run completed with every device served, 1 otherwise. */
export function exitCodeOf(reason: StopReason): 0 | 1 {
  return reason.kind === "completed" ? 0 : 1;
}

/** The merged figures of every worker (and the coordinator's own controls), as `/metrics` and progress show them. */
export interface FarmState {
  runId: string;
  elapsedSeconds: number;
  devices: number;
  online: number;
  poweredOn: number;
  liveWorkers: number;
  lostWorkers: number;
  latencies: LatencyHistograms;
  steadyLatencies: LatencyHistograms;
  /** Seconds since the start when the run was declared steady. */
  steadyFrom: number | undefined;
  errors: Record<string, number>;
  framesOut: number;
  framesIn: number;
}

export interface FarmOutcome {
  runId: string;
  startedAt: number;
  finishedAt: number;
  stop: StopReason;
  /** `stop.text`. */
  stopReason: string;
  latencies: LatencyHistograms;
  steadyLatencies: LatencyHistograms;
  steadyFrom: number | undefined;
  errors: Record<string, number>;
  online: Array<{ t: number; online: number; poweredOn: number }>;
  workers: WorkerSummary[];
  shards: ShardSummary[];
  framesOut: number;
  framesIn: number;
  controlsSent: number;
  lostDevices: number;
  stopConditions: Array<{ condition: string; tripped: boolean; seen: string }>;
  /** Absent when no device powered on, or when it cannot be timed: then `rampUntimed` says why. */
  ramp?: RampTimes;
  rampUntimed?: string;
}

/**
 * The ramp by the workers' own clocks: the first power-on (ms since the epoch) and, once every shard with devices got
 * there on a run not lost, seconds from it to the last power-on and to the moment the last shard was all online.
 */
export interface RampTimes {
  firstPowerOnAt: number;
  lastPowerOnSeconds?: number;
  allOnlineSeconds?: number;
  /** The longest any shard held its ramp while its worker ran behind (ramp-pacing.ts), s; absent when none did. */
  heldSeconds?: number;
}

/** What the coordinator's own control traffic has measured so far. */
export interface ControlFigures {
  latencies: EncodedLatencies;
  steadyLatencies: EncodedLatencies;
  errors: Record<string, number>;
  sent: number;
}

/** What the reducer needs to know of the run, fixed at its start. */
export interface FarmConfig {
  runId: string;
  /** Workers to run shards on: one shard each. */
  workers: number;
  /** One per shard. */
  assignments: ShardAssignment[];
  profile: Pick<LoadProfile, "rampPerSecond" | "steadySeconds" | "stopOn">;
  /** How long to wait for enough idle workers. */
  waitForWorkersMs: number;
  /**
   * A busy worker silent this long is late: reported (its process starved of CPU or held up), its devices counted as
   * in its last snapshot.
   */
  lateMs: number;
  /** A busy worker silent this long is lost. */
  silenceMs: number;
}

export interface WorkerRun {
  workerId: string;
  host: string;
  shard: number;
  assignedAt: number;
  lastSeenAt: number | undefined;
  last: WorkerSnapshot | undefined;
  state: "running" | "finished" | "lost";
  lostAt?: number;
  lostReason?: string;
  /** Silent past `lateMs` now: said once, until its next snapshot. */
  late: boolean;
  /** The longest it went without a snapshot (from its assignment on), judged on on-time ticks, ms. */
  longestSilenceMs: number;
}

/** The coordinator's whole state: plain data, changed only by `reduceFarm`, which never changes its input. */
export interface FarmModel {
  config: FarmConfig;
  /** waiting for idle workers -> ramp and steady -> waiting for final snapshots -> done. */
  phase: "waiting" | "running" | "stopping" | "done";
  waitStartedAt: number;
  statuses: Map<string, WorkerStatus>;
  /** By worker: a worker runs one shard at most, once. */
  runs: Map<string, WorkerRun>;
  shards: ShardSummary[];
  lostDevices: number;
  startedAt: number;
  lastTickAt: number;
  stoppingSince: number;
  steadyFrom: number | undefined;
  controlsStarted: boolean;
  online: Array<{ t: number; online: number; poweredOn: number }>;
  stopConditions: Array<{ condition: string; tripped: boolean; seen: string }>;
  /** Ctrl-C came before the shards were assigned: the run stops as soon as it starts. */
  interrupted: boolean;
  /** Why the run stops, once it does. */
  reason: StopReason | undefined;
  controls: ControlFigures | undefined;
}

export function initialFarm(config: FarmConfig, now: number): FarmModel {
  return {
    config,
    phase: "waiting",
    waitStartedAt: now,
    statuses: new Map(),
    runs: new Map(),
    shards: [],
    lostDevices: 0,
    startedAt: now,
    lastTickAt: now,
    stoppingSince: now,
    steadyFrom: undefined,
    controlsStarted: false,
    online: [],
    stopConditions: config.profile.stopOn.map((c) => ({
      condition: c.text,
      tripped: false,
      seen: "not evaluated",
    })),
    interrupted: false,
    reason: undefined,
    controls: undefined,
  };
}

export const totalDevices = (config: FarmConfig): number =>
  config.assignments.reduce((n, a) => n + a.devices.length, 0);

export const rampSecondsOf = (config: FarmConfig): number =>
  totalDevices(config) / Math.max(0.1, config.profile.rampPerSecond);

/** Idle workers not yet given a shard, by id. */
export function idleWorkers(model: FarmModel): string[] {
  return [...model.statuses.values()]
    .filter((s) => s.state === "idle" && !model.runs.has(s.workerId))
    .map((s) => s.workerId)
    .sort();
}

/** Merges what every worker last sent; a lost worker's devices count as offline, its measurements stay. */
export function farmView(model: FarmModel, now: number): FarmState {
  const runs = [...model.runs.values()];
  const lasts = runs.flatMap((r) => (r.last ? [r.last] : []));
  const latencies = LatencyHistograms.merge(lasts.map((s) => s.latencies));
  const steadyLatencies = LatencyHistograms.merge(lasts.map((s) => s.steadyLatencies));
  if (model.controls !== undefined) {
    latencies.add(model.controls.latencies);
    steadyLatencies.add(model.controls.steadyLatencies);
  }
  const errors: Record<string, number> = { ...model.controls?.errors };
  let online = 0;
  let poweredOn = 0;
  let framesOut = 0;
  let framesIn = 0;
  for (const run of runs) {
    if (run.last === undefined) continue;
    for (const [kind, n] of Object.entries(run.last.errors)) errors[kind] = (errors[kind] ?? 0) + n;
    framesOut += run.last.framesOut;
    framesIn += run.last.framesIn;
    if (run.state !== "lost") {
      online += run.last.online;
      poweredOn += run.last.poweredOn;
    }
  }
  const lostWorkers = runs.filter((r) => r.state === "lost").length;
  return {
    runId: model.config.runId,
    elapsedSeconds: (now - model.startedAt) / 1000,
    devices: totalDevices(model.config),
    online,
    poweredOn,
    liveWorkers: runs.length - lostWorkers,
    lostWorkers,
    latencies,
    steadyLatencies,
    steadyFrom: model.steadyFrom,
    errors,
    framesOut,
    framesIn,
  };
}

/** A run that ran its course still fails when it lost devices or never had one online. */
function finalReason(model: FarmModel): StopReason {
  const reason = model.reason ?? { kind: "completed", text: "" };
  if (reason.kind !== "completed") return reason;
  if (model.lostDevices > 0) return { kind: "lost-devices", devices: model.lostDevices, text: reason.text };
  if (model.online.every((p) => p.online === 0)) return { kind: "no-device-online", text: reason.text };
  return reason;
}

export function outcomeOf(model: FarmModel, now: number): FarmOutcome {
  const state = farmView(model, now);
  const stop = finalReason(model);
  const timing = rampOf(model, now);
  const earliest = Math.min(...[...model.runs.values()].flatMap((r) => r.last?.firstPowerOnAt ?? []));
  const after = (at: number) => (at - earliest) / 1000;
  const workers: WorkerSummary[] = [...model.runs.values()].map((r) => ({
    workerId: r.workerId,
    host: r.host,
    shards: [r.shard],
    devices: model.config.assignments[r.shard]?.devices.length ?? 0,
    online: r.state === "lost" ? 0 : (r.last?.online ?? 0),
    rssBytes: r.last?.rssBytes ?? 0,
    ...(r.last?.peakRssBytes === undefined ? {} : { peakRssBytes: r.last.peakRssBytes }),
    ...(r.last === undefined ? {} : { baselineRssBytes: r.last.baselineRssBytes }),
    cpuSeconds: r.last?.cpuSeconds ?? 0,
    ...(r.last?.coreWaitSeconds === undefined ? {} : { coreWaitSeconds: r.last.coreWaitSeconds }),
    ...(r.last?.firstPowerOnAt === undefined
      ? {}
      : {
          ramp: {
            firstPowerOnSeconds: after(r.last.firstPowerOnAt),
            ...(r.last.lastPowerOnAt === undefined
              ? {}
              : { lastPowerOnSeconds: after(r.last.lastPowerOnAt) }),
            ...(r.last.allOnlineAt === undefined ? {} : { allOnlineSeconds: after(r.last.allOnlineAt) }),
            ...(r.last.rampHeldMs === undefined || r.last.rampHeldMs === 0
              ? {}
              : { heldSeconds: r.last.rampHeldMs / 1000 }),
          },
        }),
    state: r.state === "lost" ? "lost" : "finished",
    ...(r.longestSilenceMs > model.config.lateMs
      ? { longestSilenceS: Math.round(r.longestSilenceMs / 100) / 10 }
      : {}),
    ...(r.lostAt === undefined
      ? {}
      : { lostAt: new Date(r.lostAt).toISOString(), lostReason: r.lostReason ?? "" }),
  }));
  return {
    runId: model.config.runId,
    startedAt: model.startedAt,
    finishedAt: now,
    stop,
    stopReason: stop.text,
    latencies: state.latencies,
    steadyLatencies: state.steadyLatencies,
    steadyFrom: model.steadyFrom,
    errors: state.errors,
    online: model.online,
    workers,
    shards: model.shards,
    framesOut: state.framesOut,
    framesIn: state.framesIn,
    controlsSent: model.controls?.sent ?? 0,
    lostDevices: model.lostDevices,
    stopConditions: model.stopConditions,
    ...timing,
  };
}

/** A worker's clock this far off the coordinator's (before the run's start, after its end): its times are not used. */
const CLOCK_SLACK_MS = 60_000;

/**
 * Timed only when every shard with devices timed its first power-on (a worker of an earlier version times none) by a
 * clock that agrees with the coordinator's within a minute; otherwise why not, once any worker timed anything.
 */
function rampOf(model: FarmModel, now: number): { ramp?: RampTimes; rampUntimed?: string } {
  const runs = [...model.runs.values()];
  const shards = model.config.assignments.flatMap((a, shard) => (a.devices.length === 0 ? [] : [shard]));
  const timesOf = (key: "firstPowerOnAt" | "lastPowerOnAt" | "allOnlineAt", shard: number, held: boolean) =>
    runs
      .filter((r) => r.shard === shard && (!held || r.state !== "lost"))
      .flatMap((r) => r.last?.[key] ?? []);
  if (!runs.some((r) => r.last?.firstPowerOnAt !== undefined)) return {};
  const off = runs.find((r) =>
    [r.last?.firstPowerOnAt, r.last?.lastPowerOnAt, r.last?.allOnlineAt].some(
      (at) => at !== undefined && (at < model.startedAt - CLOCK_SLACK_MS || at > now + CLOCK_SLACK_MS),
    ),
  );
  if (off !== undefined)
    return { rampUntimed: `worker ${off.workerId}'s clock is more than a minute off the coordinator's` };
  const firsts = shards.map((shard) => timesOf("firstPowerOnAt", shard, false));
  const untimed = shards.find((_, i) => firsts[i]?.length === 0);
  if (untimed !== undefined)
    return {
      rampUntimed: `shard ${untimed} sent no ramp times (its worker of an earlier version, or lost before its first power-on)`,
    };
  const firstPowerOnAt = Math.min(...firsts.flat());
  // The latest of every shard, from the runs that still hold it (a reassigned shard ramps again on its new worker).
  const secondsToLatest = (key: "lastPowerOnAt" | "allOnlineAt") => {
    const times = shards.map((shard) => timesOf(key, shard, true));
    return times.some((t) => t.length === 0)
      ? undefined
      : (Math.max(...times.flat()) - firstPowerOnAt) / 1000;
  };
  const lastPowerOnSeconds = secondsToLatest("lastPowerOnAt");
  const allOnlineSeconds = secondsToLatest("allOnlineAt");
  const heldMs = Math.max(0, ...runs.filter((r) => r.state !== "lost").map((r) => r.last?.rampHeldMs ?? 0));
  return {
    ramp: {
      firstPowerOnAt,
      ...(lastPowerOnSeconds === undefined ? {} : { lastPowerOnSeconds }),
      ...(allOnlineSeconds === undefined ? {} : { allOnlineSeconds }),
      ...(heldMs === 0 ? {} : { heldSeconds: heldMs / 1000 }),
    },
  };
}
