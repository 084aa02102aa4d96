import type { PlannedDevice } from "../../fleet/fleet-plan.ts";
import type { Profile } from "../../profiles/schema.ts";
import type { WorkerSnapshot } from "../farm-messages.ts";
import { type FarmModel, initialFarm } from "../farm-model.ts";
import { type FarmAction, type FarmEvent, reduceFarm } from "../farm-reducer.ts";
import { shardAssignments } from "../farm-shards.ts";
import { parseStopCondition } from "../stop-conditions.ts";

/** Farm events for the reducer's tests: a run on made-up time, `T0` its start. */
export const T0 = 1_700_000_000_000;
export const s = (seconds: number) => T0 + seconds * 1000;

export interface FarmSetup {
  workers?: number;
  devices?: number;
  stopOn?: string[];
  lateMs?: number;
  silenceMs?: number;
  steadySeconds?: number;
}

/** A fleet of `devices` (default 10), ramped at 10/s (1 s), held steady 5 s. */
export function farm(setup: FarmSetup = {}): FarmModel {
  const devices: PlannedDevice[] = Array.from({ length: setup.devices ?? 10 }, (_, i) => ({
    deviceId: `d${i}`,
    pin: "12345678",
    profileName: "plug",
    profile: {} as Profile,
    subDevices: [],
    misbehaviour: {},
  }));
  const workers = setup.workers ?? 2;
  const profile = { rampPerSecond: 10, churnPerSecond: 0, steadySeconds: setup.steadySeconds ?? 5 };
  return initialFarm(
    {
      runId: "r1",
      workers,
      assignments: shardAssignments({
        runId: "r1",
        plan: { seed: 1, transport: "tcp", devices },
        shards: workers,
        loginAddresses: ["127.0.0.1:8700"],
        profile,
      }),
      profile: { ...profile, stopOn: (setup.stopOn ?? []).map(parseStopCondition) },
      waitForWorkersMs: 60_000,
      lateMs: setup.lateMs ?? 10_000,
      silenceMs: setup.silenceMs ?? 60_000,
    },
    T0,
  );
}

export function feed(state: FarmModel, ...events: FarmEvent[]): { state: FarmModel; actions: FarmAction[] } {
  const actions: FarmAction[] = [];
  for (const event of events) {
    const step = reduceFarm(state, event);
    state = step.state;
    actions.push(...step.actions);
  }
  return { state, actions };
}

export const status = (workerId: string, state: "idle" | "busy" | "gone", now = T0): FarmEvent => ({
  kind: "status",
  now,
  status: { workerId, state, host: `host-${workerId}`, capacity: 0 },
});
export const tick = (now: number): FarmEvent => ({ kind: "tick", now });
export function snapshot(
  state: FarmModel,
  workerId: string,
  now: number,
  extra: Partial<WorkerSnapshot> = {},
) {
  const shard = state.runs.get(workerId)?.shard ?? -1;
  const devices = state.config.assignments[shard]?.devices.length ?? 0;
  return {
    kind: "snapshot",
    now,
    snapshot: {
      runId: "r1",
      workerId,
      host: `host-${workerId}`,
      shard,
      seq: now - T0,
      final: false,
      elapsed: 0,
      devices,
      poweredOn: devices,
      online: devices,
      latencies: {},
      steadyLatencies: {},
      baselineRssBytes: 1,
      framesOut: 1,
      framesIn: 1,
      errors: {},
      rssBytes: 2,
      cpuSeconds: 0,
      ...extra,
    },
  } satisfies FarmEvent;
}
/** Every running worker's snapshot at `now`. */
export const snapshots = (state: FarmModel, now: number, extra: Partial<WorkerSnapshot> = {}): FarmEvent[] =>
  [...state.runs.values()]
    .filter((r) => r.state === "running")
    .map((r) => snapshot(state, r.workerId, now, extra));
export const ofKind = <K extends FarmAction["kind"]>(actions: FarmAction[], kind: K) =>
  actions.filter((a): a is Extract<FarmAction, { kind: K }> => a.kind === kind);

/** Ticks once a second from `from` to `to`, every running worker reporting before each tick. */
export function runFor(state: FarmModel, from: number, to: number, extra: Partial<WorkerSnapshot> = {}) {
  const actions: FarmAction[] = [];
  for (let t = from; t <= to && state.phase === "running"; t++) {
    const step = feed(state, ...snapshots(state, s(t) - 10, extra), tick(s(t)));
    state = step.state;
    actions.push(...step.actions);
  }
  return { state, actions };
}

/** Stops the run (by its time, unless stopped already) and sends every final snapshot: the outcome. */
export function finish(state: FarmModel, extra: Partial<WorkerSnapshot> = {}) {
  if (state.phase === "running") state = runFor(state, 1, 60, extra).state;
  const { actions } = feed(state, ...snapshots(state, s(70), { ...extra, final: true }));
  const done = ofKind(actions, "finish")[0];
  if (done === undefined) throw new Error("the run did not finish");
  return done.outcome;
}

/** A run whose shards were given to the first of `workers` (in id order) at `T0`. */
export const started = (setup: FarmSetup, ...workers: string[]) =>
  feed(farm(setup), ...workers.map((w) => status(w, "idle", T0 - 500)), tick(T0));
