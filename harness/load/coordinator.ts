import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Profile } from "../../emulators/profiles/schema.ts";
import type { Clock, Timer } from "../clock/clock.ts";
import { RealClock } from "../clock/real-clock.ts";
import { UsageError } from "../errors.ts";
import type { FleetPlan, PlannedDevice } from "../farm/fleet-plan.ts";
import { withoutCredentials } from "../link/mqtt-url.ts";
import { seededRandom } from "../random/random.ts";
import { ControlTraffic } from "./control-traffic.ts";
import {
  parseFarmMessage,
  type ShardAssignment,
  farmTopics as topicsOf,
  type WorkerSnapshot,
  WorkerSnapshotSchema,
  type WorkerStatus,
  WorkerStatusSchema,
} from "./farm-messages.ts";
import { LatencyHistograms } from "./latency-histograms.ts";
import type { ShardSummary, WorkerSummary } from "./load-report.ts";
import { evaluateStop, type StopCondition } from "./stop-conditions.ts";

export interface LoadProfile {
  rampPerSecond: number;
  steadySeconds: number;
  churnPerSecond: number;
  controlsPerSecond: number;
  faults?: string;
  stopOn: StopCondition[];
}

export interface CoordinatorOptions {
  brokerUrl: string;
  /** Farm name: its topics on the broker. Default `default`. */
  farm?: string;
  workers: number;
  plan: FleetPlan;
  loginAddress: string;
  /** The platform's northbound API, for control traffic; without it no controls are sent. */
  apiUrl?: string;
  profile: LoadProfile;
  logger: Logger;
  clock?: Clock;
  /** How long to wait for enough idle workers. Default 60 s. */
  waitForWorkersMs?: number;
  /**
   * A busy worker silent this long is lost. Default 10 s: snapshots come every second, and a worker starved of CPU
   * for a few seconds (a login storm on a small machine) is slow, not dead. A killed worker is noticed at once by
   * its last will.
   */
  silenceMs?: number;
  /** Called once a second while the run goes. */
  onTick?: (state: FarmState) => void;
  /** Aborting ends the run early, reported as such (Ctrl-C). */
  signal?: AbortSignal;
}

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
  stopReason: string;
  latencies: LatencyHistograms;
  steadyLatencies: LatencyHistograms;
  steadyFrom: number | undefined;
  errors: Record<string, number>;
  online: Array<{ t: number; online: number }>;
  workers: WorkerSummary[];
  shards: ShardSummary[];
  framesOut: number;
  framesIn: number;
  controlsSent: number;
  lostDevices: number;
  stopConditions: Array<{ condition: string; tripped: boolean; seen: string }>;
}

interface WorkerRun {
  workerId: string;
  host: string;
  shard: number;
  assignedAt: number;
  lastSeenAt: number | undefined;
  last: WorkerSnapshot | undefined;
  state: "running" | "finished" | "lost";
  lostAt?: number;
  lostReason?: string;
}

/** Splits the fleet into `n` contiguous shards of nearly equal size. */
export function splitFleet(devices: PlannedDevice[], n: number): PlannedDevice[][] {
  const shards: PlannedDevice[][] = [];
  for (let i = 0; i < n; i++)
    shards.push(
      devices.slice(Math.floor((i * devices.length) / n), Math.floor(((i + 1) * devices.length) / n)),
    );
  return shards;
}

function profilesOf(devices: PlannedDevice[]): Record<string, Profile> {
  const out: Record<string, Profile> = {};
  const visit = (d: PlannedDevice) => {
    out[d.profileName] = d.profile;
    d.subDevices.forEach(visit);
  };
  devices.forEach(visit);
  return out;
}

function wireDevice(d: PlannedDevice): ShardAssignment["devices"][number] {
  return {
    deviceId: d.deviceId,
    pin: d.pin,
    profileName: d.profileName,
    ...(Object.keys(d.misbehaviour).length === 0
      ? {}
      : { misbehaviour: d.misbehaviour as Record<string, boolean | number> }),
    ...(d.subDevices.length === 0 ? {} : { subDevices: d.subDevices.map(wireDevice) }),
  };
}

const FIRST_SNAPSHOT_GRACE_MS = 20_000;
/** The run counts as steady once every device is online, or this long after the ramp, whichever comes first. */
const STEADY_AFTER_RAMP_S = 60;
const FINAL_SNAPSHOT_WAIT_MS = 15_000;

/**
 * `hilfarm load`'s coordinator: finds idle workers on the broker, gives each a shard, merges what they stream,
 * notices a worker that dies (its last will, or silence) and gives its shard to a spare worker or reports it lost,
 * and stops the run when the profile says so.
 */
export async function coordinateLoad(options: CoordinatorOptions): Promise<FarmOutcome> {
  const clock = options.clock ?? new RealClock();
  const { logger, plan, profile } = options;
  const silenceMs = options.silenceMs ?? 10_000;
  const runId = randomBytes(6).toString("hex");
  const farmTopics = topicsOf(options.farm ?? "default");
  const client: MqttClient = await mqtt
    .connectAsync(
      options.brokerUrl,
      {
        clientId: `hilfarm-load-${runId}`,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      },
      false,
    )
    .catch((error: Error) => {
      throw new UsageError(
        "broker",
        `cannot reach the broker at ${withoutCredentials(options.brokerUrl)}: ${error.message}`,
      );
    });
  let leaving = false;
  client.on("error", (error) => {
    // Acknowledgements still arriving while the client leaves are not worth a warning.
    if (!leaving) logger.warn({ err: error }, "broker error");
  });
  const statuses = new Map<string, WorkerStatus>();
  const runs = new Map<string, WorkerRun>();
  const shardStates: ShardSummary[] = [];
  const timers: Timer[] = [];
  let finishing = false;

  const onMessage = (topic: string, payload: Buffer) => {
    if (topic.startsWith(farmTopics.workersPrefix)) {
      if (payload.length === 0) return;
      const parsed = parseFarmMessage(WorkerStatusSchema, payload);
      if (!parsed.ok) return logger.warn({ topic, error: parsed.error }, "worker status ignored");
      statuses.set(parsed.value.workerId, parsed.value);
      const run = runs.get(parsed.value.workerId);
      if (run?.state === "running" && parsed.value.state === "gone")
        lose(run, "its connection to the broker dropped (last will)");
      return;
    }
    const parsed = parseFarmMessage(WorkerSnapshotSchema, payload);
    if (!parsed.ok) return logger.warn({ topic, error: parsed.error }, "snapshot ignored");
    const snapshot = parsed.value;
    const run = runs.get(snapshot.workerId);
    if (run === undefined || snapshot.runId !== runId || run.shard !== snapshot.shard) return;
    if (run.last !== undefined && snapshot.seq <= run.last.seq) return;
    if (run.state === "lost") return;
    run.last = snapshot;
    run.lastSeenAt = clock.now();
    if (snapshot.failure !== undefined) {
      lose(run, `could not run its shard: ${snapshot.failure}`);
      return;
    }
    if (snapshot.final) run.state = "finished";
  };
  client.on("message", onMessage);
  await client.subscribeAsync(farmTopics.allStatuses, { qos: 1 });
  await client.subscribeAsync(farmTopics.allSnapshots(runId), { qos: 1 });

  // 1. Enough idle workers.
  const waitMs = options.waitForWorkersMs ?? 60_000;
  const idle = () => [...statuses.values()].filter((s) => s.state === "idle" && !runs.has(s.workerId));
  const waitStarted = clock.now();
  while (idle().length < options.workers) {
    if (clock.now() - waitStarted > waitMs) {
      await client.endAsync();
      throw new UsageError(
        "workers",
        `--workers ${options.workers}: only ${idle().length} idle worker(s) at ${options.brokerUrl} after ${Math.round(waitMs / 1000)} s; start more with: hilfarm worker --broker ${options.brokerUrl}`,
      );
    }
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 100, "wait-workers"));
  }

  // 2. Shards.
  const shards = splitFleet(plan.devices, options.workers);
  const profiles = profilesOf(plan.devices);
  const total = plan.devices.length;
  const assignmentOf = (shard: number): ShardAssignment => {
    const devices = shards[shard] ?? [];
    const share = total === 0 ? 0 : devices.length / total;
    return {
      runId,
      shard,
      loginAddress: options.loginAddress,
      transport: plan.transport,
      seed: plan.seed,
      rampPerSecond: Math.max(0.1, profile.rampPerSecond * share),
      churnPerSecond: profile.churnPerSecond * share,
      ...(profile.faults === undefined ? {} : { faults: profile.faults }),
      profiles,
      devices: devices.map(wireDevice),
    };
  };
  const startShard = async (shard: number, workerId: string): Promise<void> => {
    const status = statuses.get(workerId);
    runs.set(workerId, {
      workerId,
      host: status?.host ?? "",
      shard,
      assignedAt: clock.now(),
      lastSeenAt: undefined,
      last: undefined,
      state: "running",
    });
    await client.publishAsync(farmTopics.assign(workerId), JSON.stringify(assignmentOf(shard)), { qos: 1 });
    logger.info({ runId, shard, workerId, devices: shards[shard]?.length }, "shard assigned");
  };
  const chosen = idle()
    .map((s) => s.workerId)
    .sort()
    .slice(0, options.workers);
  const startedAt = clock.now();
  for (const [shard, workerId] of chosen.entries()) {
    shardStates.push({ shard, devices: shards[shard]?.length ?? 0, workers: [workerId], state: "finished" });
    await startShard(shard, workerId);
  }

  // 3. A worker gone: its shard to a spare, or reported lost.
  let lostDevices = 0;
  function lose(run: WorkerRun, reason: string): void {
    if (run.state !== "running") return;
    run.state = "lost";
    run.lostAt = clock.now();
    run.lostReason = reason;
    const shard = shardStates[run.shard];
    logger.warn({ runId, workerId: run.workerId, shard: run.shard, reason }, "worker lost");
    // A worker that was only frozen may come back: it must stop, or its devices would run twice.
    client.publish(
      farmTopics.stopWorker(run.workerId),
      JSON.stringify({ action: "stop", reason: `reported lost: ${reason}` }),
      { qos: 1 },
    );
    if (shard === undefined) return;
    const spare = finishing ? undefined : idle()[0];
    if (spare !== undefined) {
      shard.state = "reassigned";
      shard.workers.push(spare.workerId);
      shard.note = `worker ${run.workerId} lost (${reason}); shard restarted on ${spare.workerId} after ${Math.round((clock.now() - startedAt) / 1000)} s`;
      void startShard(run.shard, spare.workerId).catch((error) =>
        logger.error({ err: error }, "reassignment failed"),
      );
    } else {
      shard.state = "lost";
      shard.note = `worker ${run.workerId} lost (${reason}) after ${Math.round((clock.now() - startedAt) / 1000)} s; no spare worker`;
      lostDevices += shard.devices;
    }
  }

  const shardOfDevice = new Map(shards.flatMap((devices, shard) => devices.map((d) => [d.deviceId, shard])));
  const controls =
    options.apiUrl === undefined
      ? undefined
      : new ControlTraffic({
          apiUrl: options.apiUrl,
          perSecond: profile.controlsPerSecond,
          devices: plan.devices,
          clock,
          random: seededRandom(plan.seed).fork("controls"),
          isLive: (deviceId) => shardStates[shardOfDevice.get(deviceId) ?? -1]?.state !== "lost",
          countError: (kind) => coordinatorErrors.set(kind, (coordinatorErrors.get(kind) ?? 0) + 1),
        });
  const coordinatorErrors = new Map<string, number>();

  const merged = (): FarmState => {
    const latencies = LatencyHistograms.merge(
      [...runs.values()].flatMap((r) => (r.last ? [r.last.latencies] : [])),
    );
    const steadyLatencies = LatencyHistograms.merge(
      [...runs.values()].flatMap((r) => (r.last ? [r.last.steadyLatencies] : [])),
    );
    if (controls !== undefined) {
      latencies.add(controls.latencies.encode());
      steadyLatencies.add(controls.steadyLatencies.encode());
    }
    const errors: Record<string, number> = Object.fromEntries(coordinatorErrors);
    let online = 0;
    let poweredOn = 0;
    let framesOut = 0;
    let framesIn = 0;
    for (const run of runs.values()) {
      if (run.last === undefined) continue;
      for (const [kind, n] of Object.entries(run.last.errors)) errors[kind] = (errors[kind] ?? 0) + n;
      framesOut += run.last.framesOut;
      framesIn += run.last.framesIn;
      if (run.state !== "lost") {
        online += run.last.online;
        poweredOn += run.last.poweredOn;
      }
    }
    const lostWorkers = [...runs.values()].filter((r) => r.state === "lost").length;
    return {
      runId,
      elapsedSeconds: (clock.now() - startedAt) / 1000,
      devices: total,
      online,
      poweredOn,
      liveWorkers: runs.size - lostWorkers,
      lostWorkers,
      latencies,
      steadyLatencies,
      steadyFrom,
      errors,
      framesOut,
      framesIn,
    };
  };

  // 4. Once a second: liveness, the online curve, stop conditions, the end.
  const online: Array<{ t: number; online: number }> = [];
  const rampSeconds = total / Math.max(0.1, profile.rampPerSecond);
  let steadyFrom: number | undefined;
  let lastTickAt = clock.now();
  let controlsStarted = false;
  const stopConditions = profile.stopOn.map((c) => ({
    condition: c.text,
    tripped: false,
    seen: "not evaluated",
  }));
  const stopReason = await new Promise<string>((resolve) => {
    const onAbort = () => resolve("interrupted (Ctrl-C): the report covers the run so far");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    timers.push(
      clock.setInterval(
        () => {
          const now = clock.now();
          // When this process itself was held up, the workers' snapshots are still waiting to be read: silence
          // is judged on the next tick, not now.
          const heldUp = now - lastTickAt > 2000;
          lastTickAt = now;
          for (const run of runs.values()) {
            if (run.state !== "running" || heldUp) continue;
            if (run.lastSeenAt === undefined && now - run.assignedAt > FIRST_SNAPSHOT_GRACE_MS)
              lose(run, `no snapshot within ${FIRST_SNAPSHOT_GRACE_MS / 1000} s of its assignment`);
            else if (run.lastSeenAt !== undefined && now - run.lastSeenAt > silenceMs)
              lose(run, `silent for ${((now - run.lastSeenAt) / 1000).toFixed(1)} s`);
          }
          const state = merged();
          online.push({ t: Math.round(state.elapsedSeconds), online: state.online });
          // Controls go to devices once they are ramped, not while they are still logging in.
          if (!controlsStarted && state.elapsedSeconds >= rampSeconds) {
            controlsStarted = true;
            controls?.start();
          }
          const everyoneOnline = state.online >= total - lostDevices;
          if (
            steadyFrom === undefined &&
            state.elapsedSeconds >= rampSeconds &&
            (everyoneOnline || state.elapsedSeconds >= rampSeconds + STEADY_AFTER_RAMP_S)
          ) {
            steadyFrom = Math.round(state.elapsedSeconds);
            controls?.beginSteady();
            void client
              .publishAsync(
                farmTopics.control(runId),
                JSON.stringify({
                  action: "steady",
                  reason: everyoneOnline ? "every device online" : "a minute after the ramp",
                }),
                { qos: 1 },
              )
              .catch((error) => logger.warn({ err: error }, "steady could not be announced"));
          }
          options.onTick?.(state);
          if (state.elapsedSeconds >= rampSeconds) {
            for (const [i, condition] of profile.stopOn.entries()) {
              const result = evaluateStop(condition, {
                latencies: steadyFrom === undefined ? state.latencies : state.steadyLatencies,
                errors: state.errors,
                lostDevices,
              });
              stopConditions[i] = { condition: condition.text, ...result };
              if (result.tripped) return resolve(`stop condition ${condition.text} tripped: ${result.seen}`);
            }
          }
          if (runs.size > 0 && [...runs.values()].every((r) => r.state === "lost"))
            return resolve("every worker was lost");
          if (state.elapsedSeconds >= rampSeconds + profile.steadySeconds)
            resolve(
              `ramp (${Math.ceil(rampSeconds)} s) and steady duration (${profile.steadySeconds} s) done`,
            );
        },
        1000,
        "load-tick",
      ),
    );
  });

  // 5. Stop the workers and take their final snapshots.
  finishing = true;
  controls?.stop();
  for (const timer of timers) timer.cancel();
  await client.publishAsync(
    farmTopics.control(runId),
    JSON.stringify({ action: "stop", reason: stopReason }),
    {
      qos: 1,
    },
  );
  const waitStart = clock.now();
  while (
    [...runs.values()].some((r) => r.state === "running") &&
    clock.now() - waitStart < FINAL_SNAPSHOT_WAIT_MS
  )
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 100, "final-snapshots"));
  for (const run of runs.values())
    if (run.state === "running")
      lose(run, `no final snapshot within ${FINAL_SNAPSHOT_WAIT_MS / 1000} s of stop`);
  const finishedAt = clock.now();
  leaving = true;
  await client.endAsync();

  const state = merged();
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const workers: WorkerSummary[] = [...runs.values()].map((r) => ({
    workerId: r.workerId,
    host: r.host,
    shards: [r.shard],
    devices: shards[r.shard]?.length ?? 0,
    online: r.state === "lost" ? 0 : (r.last?.online ?? 0),
    rssBytes: r.last?.rssBytes ?? 0,
    ...(r.last === undefined ? {} : { baselineRssBytes: r.last.baselineRssBytes }),
    cpuSeconds: r.last?.cpuSeconds ?? 0,
    state: r.state === "lost" ? "lost" : "finished",
    ...(r.lostAt === undefined ? {} : { lostAt: iso(r.lostAt) as string, lostReason: r.lostReason ?? "" }),
  }));
  return {
    runId,
    startedAt,
    finishedAt,
    stopReason,
    latencies: state.latencies,
    steadyLatencies: state.steadyLatencies,
    steadyFrom,
    errors: state.errors,
    online,
    workers,
    shards: shardStates,
    framesOut: state.framesOut,
    framesIn: state.framesIn,
    controlsSent: controls?.sent ?? 0,
    lostDevices,
    stopConditions,
  };
}
