import type { ShardAssignment, WorkerSnapshot, WorkerStatus } from "./farm-messages.ts";
import {
  type ControlFigures,
  type FarmModel,
  type FarmOutcome,
  type FarmState,
  farmView,
  idleWorkers,
  outcomeOf,
  rampSecondsOf,
  type StopReason,
  totalDevices,
  type WorkerRun,
} from "./farm-model.ts";
import { evaluateStop } from "./stop-conditions.ts";

/** What happens to the coordinator: a farm message, a clock tick, Ctrl-C. Each carries the time it happened. */
export type FarmEvent =
  | { kind: "status"; now: number; status: WorkerStatus }
  | { kind: "snapshot"; now: number; snapshot: WorkerSnapshot }
  /** Once a second, with what the coordinator's own controls measured. */
  | { kind: "tick"; now: number; controls?: ControlFigures }
  | { kind: "interrupt"; now: number };

/** What the shell does: publish, drive the control traffic, report, log, end. */
export type FarmAction =
  | { kind: "assign"; workerId: string; assignment: ShardAssignment }
  /** A worker reported lost that was only frozen must stop, or its devices would run twice. */
  | { kind: "stop-worker"; workerId: string; reason: string }
  | { kind: "run-control"; action: "steady" | "stop"; reason: string }
  | { kind: "controls"; step: "start" | "steady" | "stop" }
  | { kind: "progress"; state: FarmState }
  | { kind: "log"; level: "info" | "warn"; message: string; fields: Record<string, unknown> }
  /** Not enough idle workers in time: a usage error, no run. */
  | { kind: "give-up"; idle: number; waitedMs: number }
  | { kind: "finish"; outcome: FarmOutcome };

export interface FarmStep {
  state: FarmModel;
  actions: FarmAction[];
}

/** The run counts as steady once every device is online, or this long after the ramp, whichever comes first. */
export const STEADY_AFTER_RAMP_S = 60;
/**
 * After the stop, workers have this long to send their final snapshots; a worker late at the time (silent past the
 * late limit) has until the silence limit: starved of CPU, it takes its time to power its devices off.
 */
export const FINAL_SNAPSHOT_WAIT_MS = 15_000;
/**
 * Ticks come once a second. A longer gap means this process itself was held up, and the workers' snapshots are
 * still waiting to be read: silence is judged on the next tick, not on this one.
 */
export const HELD_UP_MS = 2000;

/** A copy the reducer may change: the caller's state is never touched. */
function draftOf(m: FarmModel): FarmModel {
  return {
    ...m,
    statuses: new Map(m.statuses),
    runs: new Map([...m.runs].map(([id, run]) => [id, { ...run }])),
    shards: m.shards.map((s) => ({ ...s, workers: [...s.workers] })),
  };
}

/**
 * The load coordinator as a pure function: shard assignment, a lost worker's shard to a spare (or reported lost),
 * silence and last wills, the ramp, steady and stop phases, and the stop conditions. No I/O and no clock: time
 * comes in with the events.
 */
export function reduceFarm(state: FarmModel, event: FarmEvent): FarmStep {
  if (state.phase === "done") return { state, actions: [] };
  const d = draftOf(state);
  const actions: FarmAction[] = [];
  const { now } = event;
  switch (event.kind) {
    case "status":
      d.statuses.set(event.status.workerId, event.status);
      if (d.phase !== "waiting") {
        const run = d.runs.get(event.status.workerId);
        if (run?.state === "running" && event.status.state === "gone")
          lose(d, run, "its connection to the broker dropped (last will)", now, actions);
      }
      break;
    case "snapshot":
      takeSnapshot(d, event.snapshot, now, actions);
      break;
    case "interrupt":
      if (d.phase === "waiting") d.interrupted = true;
      else if (d.phase === "running") stop(d, interrupted, now, actions);
      break;
    case "tick":
      if (event.controls !== undefined) d.controls = event.controls;
      // Workers are chosen on a tick, not on the status that makes enough: the retained statuses come in a burst
      // when the coordinator subscribes, and the choice (in id order) is made once all of them are in.
      if (d.phase === "waiting") {
        startWhenReady(d, now, actions);
        if (d.phase === "waiting" && now - d.waitStartedAt > d.config.waitForWorkersMs) {
          d.phase = "done";
          actions.push({ kind: "give-up", idle: idleWorkers(d).length, waitedMs: now - d.waitStartedAt });
        }
      } else if (d.phase === "running") tick(d, now, actions);
      else
        for (const run of d.runs.values()) {
          const late = now - (run.lastSeenAt ?? run.assignedAt) > d.config.lateMs;
          const waitMs = late ? Math.max(FINAL_SNAPSHOT_WAIT_MS, d.config.silenceMs) : FINAL_SNAPSHOT_WAIT_MS;
          if (now - d.stoppingSince >= waitMs)
            lose(d, run, `no final snapshot within ${seconds(waitMs)} s of stop`, now, actions);
        }
      break;
  }
  if (d.phase === "stopping" && ![...d.runs.values()].some((r) => r.state === "running")) {
    d.phase = "done";
    actions.push({ kind: "finish", outcome: outcomeOf(d, now) });
  }
  return { state: d, actions };
}

const interrupted: StopReason = {
  kind: "interrupted",
  text: "interrupted (Ctrl-C): the report covers the run so far",
};

function startWhenReady(d: FarmModel, now: number, actions: FarmAction[]): void {
  const idle = idleWorkers(d);
  if (idle.length < d.config.workers) return;
  d.phase = "running";
  d.startedAt = now;
  d.lastTickAt = now;
  for (const [shard, workerId] of idle.slice(0, d.config.workers).entries()) {
    d.shards.push({
      shard,
      devices: d.config.assignments[shard]?.devices.length ?? 0,
      workers: [workerId],
      state: "finished",
    });
    startShard(d, shard, workerId, now, actions);
  }
  if (d.interrupted) stop(d, interrupted, now, actions);
}

function startShard(d: FarmModel, shard: number, workerId: string, now: number, actions: FarmAction[]): void {
  const assignment = d.config.assignments[shard];
  if (assignment === undefined) return;
  d.runs.set(workerId, {
    workerId,
    host: d.statuses.get(workerId)?.host ?? "",
    shard,
    assignedAt: now,
    lastSeenAt: undefined,
    last: undefined,
    state: "running",
    late: false,
    longestSilenceMs: 0,
  });
  actions.push({ kind: "assign", workerId, assignment });
  actions.push({
    kind: "log",
    level: "info",
    message: "shard assigned",
    fields: { runId: d.config.runId, shard, workerId, devices: assignment.devices.length },
  });
}

function takeSnapshot(d: FarmModel, snapshot: WorkerSnapshot, now: number, actions: FarmAction[]): void {
  const run = d.runs.get(snapshot.workerId);
  if (run === undefined || snapshot.runId !== d.config.runId || run.shard !== snapshot.shard) return;
  if (run.last !== undefined && snapshot.seq <= run.last.seq) return;
  if (run.state === "lost") return;
  if (run.late) {
    run.late = false;
    actions.push({
      kind: "log",
      level: "info",
      message: "worker heard again",
      fields: {
        runId: d.config.runId,
        workerId: run.workerId,
        silentS: seconds(now - (run.lastSeenAt ?? now)),
      },
    });
  }
  run.last = snapshot;
  run.lastSeenAt = now;
  if (snapshot.failure !== undefined)
    lose(d, run, `could not run its shard: ${snapshot.failure}`, now, actions);
  else if (snapshot.final) run.state = "finished";
}

/** A worker gone: its shard to a spare idle worker while the run goes, or reported lost with its devices. */
function lose(d: FarmModel, run: WorkerRun, reason: string, now: number, actions: FarmAction[]): void {
  if (run.state !== "running") return;
  run.state = "lost";
  run.lostAt = now;
  run.lostReason = reason;
  const fields = { runId: d.config.runId, workerId: run.workerId, shard: run.shard, reason };
  actions.push({ kind: "log", level: "warn", message: "worker lost", fields });
  actions.push({ kind: "stop-worker", workerId: run.workerId, reason: `reported lost: ${reason}` });
  const shard = d.shards[run.shard];
  if (shard === undefined) return;
  const after = Math.round((now - d.startedAt) / 1000);
  const spare = d.phase === "running" ? idleWorkers(d)[0] : undefined;
  if (spare !== undefined) {
    shard.state = "reassigned";
    shard.workers.push(spare);
    shard.note = `worker ${run.workerId} lost (${reason}); shard restarted on ${spare} after ${after} s`;
    startShard(d, run.shard, spare, now, actions);
  } else {
    shard.state = "lost";
    shard.note = `worker ${run.workerId} lost (${reason}) after ${after} s; no spare worker`;
    d.lostDevices += shard.devices;
  }
}

function stop(d: FarmModel, reason: StopReason, now: number, actions: FarmAction[]): void {
  d.phase = "stopping";
  d.reason = reason;
  d.stoppingSince = now;
  actions.push({ kind: "controls", step: "stop" });
  actions.push({ kind: "run-control", action: "stop", reason: reason.text });
}

/** Once a second while the run goes: liveness, the online curve, steadiness, stop conditions, the end. */
function tick(d: FarmModel, now: number, actions: FarmAction[]): void {
  const heldUp = now - d.lastTickAt > HELD_UP_MS;
  d.lastTickAt = now;
  if (!heldUp)
    for (const run of d.runs.values()) {
      if (run.state !== "running") continue;
      // Judged on ticks that came on time only: a snapshot's time is when this process read it, and one held up
      // reads them all late.
      const silentMs = now - (run.lastSeenAt ?? run.assignedAt);
      run.longestSilenceMs = Math.max(run.longestSilenceMs, silentMs);
      if (silentMs > d.config.silenceMs)
        lose(
          d,
          run,
          run.lastSeenAt === undefined
            ? `no snapshot within ${seconds(d.config.silenceMs)} s of its assignment`
            : `silent for ${seconds(silentMs)} s`,
          now,
          actions,
        );
      else if (silentMs > d.config.lateMs && !run.late) {
        run.late = true;
        actions.push({
          kind: "log",
          level: "warn",
          message: `worker late: no snapshot for ${seconds(silentMs)} s; likely its process gets no CPU (on one machine: the cores are saturated) or is held up; its devices count as in its last snapshot, and it is lost after ${seconds(d.config.silenceMs)} s of silence`,
          fields: { runId: d.config.runId, workerId: run.workerId, shard: run.shard },
        });
      }
    }
  const state = farmView(d, now);
  d.online = [
    ...d.online,
    { t: Math.round(state.elapsedSeconds), online: state.online, poweredOn: state.poweredOn },
  ];
  const rampSeconds = rampSecondsOf(d.config);
  const ramped = state.elapsedSeconds >= rampSeconds;
  // Controls go to devices once they are ramped, not while they are still logging in.
  if (!d.controlsStarted && ramped) {
    d.controlsStarted = true;
    actions.push({ kind: "controls", step: "start" });
  }
  const everyoneOnline = state.online >= totalDevices(d.config) - d.lostDevices;
  if (
    d.steadyFrom === undefined &&
    ramped &&
    (everyoneOnline || state.elapsedSeconds >= rampSeconds + STEADY_AFTER_RAMP_S)
  ) {
    d.steadyFrom = Math.round(state.elapsedSeconds);
    state.steadyFrom = d.steadyFrom;
    actions.push({ kind: "controls", step: "steady" });
    const reason = everyoneOnline ? "every device online" : "a minute after the ramp";
    actions.push({ kind: "run-control", action: "steady", reason });
  }
  actions.push({ kind: "progress", state });
  const reason = stopReasonAt(d, state, rampSeconds);
  if (reason !== undefined) stop(d, reason, now, actions);
}

/** Whether the run stops now, and why: a stop condition (once ramped), every worker lost, or its time is up. */
function stopReasonAt(d: FarmModel, state: FarmState, rampSeconds: number): StopReason | undefined {
  if (state.elapsedSeconds >= rampSeconds) {
    d.stopConditions = [...d.stopConditions];
    for (const [i, condition] of d.config.profile.stopOn.entries()) {
      const result = evaluateStop(condition, {
        latencies: d.steadyFrom === undefined ? state.latencies : state.steadyLatencies,
        errors: state.errors,
        lostDevices: d.lostDevices,
      });
      d.stopConditions[i] = { condition: condition.text, ...result };
      if (result.tripped) {
        const text = `stop condition ${condition.text} tripped: ${result.seen}`;
        return { kind: "stop-condition", condition: condition.text, seen: result.seen, text };
      }
    }
  }
  if (d.runs.size > 0 && [...d.runs.values()].every((r) => r.state === "lost"))
    return { kind: "all-workers-lost", text: "every worker was lost" };
  if (state.elapsedSeconds < rampSeconds + d.config.profile.steadySeconds) return undefined;
  const text = `ramp (${Math.ceil(rampSeconds)} s) and steady duration (${d.config.profile.steadySeconds} s) done`;
  return { kind: "completed", text };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
