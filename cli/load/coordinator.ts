import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { ControlTraffic } from "../../emulators/farm/control-traffic.ts";
import {
  parseFarmMessage,
  farmTopics as topicsOf,
  WorkerSnapshotSchema,
  WorkerStatusSchema,
} from "../../emulators/farm/farm-messages.ts";
import {
  type ControlFigures,
  type FarmOutcome,
  type FarmState,
  initialFarm,
  type LoadProfile,
} from "../../emulators/farm/farm-model.ts";
import { type FarmAction, type FarmEvent, reduceFarm } from "../../emulators/farm/farm-reducer.ts";
import { shardAssignments } from "../../emulators/farm/farm-shards.ts";
import type { FleetPlan } from "../../emulators/fleet/fleet-plan.ts";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import { withoutCredentials } from "../../harness/link/mqtt-url.ts";
import { MQTT_CLIENT_OPTIONS } from "../../harness/mqtt/client-options.ts";
import { seededRandom } from "../../harness/random/random.ts";

export type { FarmOutcome, FarmState, LoadProfile, StopReason } from "../../emulators/farm/farm-model.ts";
export { exitCodeOf } from "../../emulators/farm/farm-model.ts";
export { splitFleet } from "../../emulators/farm/farm-shards.ts";

/** A platform a farm loads: its login server and, for control traffic, its northbound API. */
export interface PlatformEndpoint {
  loginAddress: string;
  apiUrl?: string;
}

export interface CoordinatorOptions {
  brokerUrl: string;
  /** Farm name: its topics on the broker. Default `default`. */
  farm?: string;
  workers: number;
  plan: FleetPlan;
  /**
   * The platforms the farm loads: one, or the processes of a reference platform split by shard (each serves a run
   * of whole shards, `platformOfShard`). Without every platform's API no controls are sent.
   */
  platforms: readonly PlatformEndpoint[];
  profile: LoadProfile;
  logger: Logger;
  clock?: Clock;
  /** How long to wait for enough idle workers. Default 60 s. */
  waitForWorkersMs?: number;
  /**
   * A busy worker silent this long is reported late (default 10 s; snapshots come every second): a worker starved of
   * CPU (a login storm on a small machine, where the platform's processes outrank the workers) is slow, not dead.
   */
  lateMs?: number;
  /**
   * A busy worker silent this long is lost, its shard to a spare worker or its devices counted lost. Default 60 s:
   * a killed worker is noticed at once by its last will, one cut off from the broker when the broker times its
   * connection out (90 s); this is for one that still holds its connection but has stopped (a hung process).
   */
  silenceMs?: number;
  /** Called once a second while the run goes. */
  onTick?: (state: FarmState) => void;
  /** Called once, when the run becomes steady (every device online, or a minute after the ramp). */
  onSteady?: () => void;
  /**
   * Called once as the run ends, before the workers are told to stop their devices: the stop waits for what it
   * returns, at most `ENDING_WAIT_MS` (a reading of the platform while the fleet is still up).
   */
  onEnding?: () => Promise<unknown>;
  /** Aborting ends the run early, reported as such (Ctrl-C). */
  signal?: AbortSignal;
}

/** The longest the workers' stop waits for `onEnding`. */
const ENDING_WAIT_MS = 3000;

async function connect(options: CoordinatorOptions, runId: string): Promise<MqttClient> {
  return mqtt
    .connectAsync(
      options.brokerUrl,
      {
        ...MQTT_CLIENT_OPTIONS,
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
}

/**
 * `hilfarm load`'s coordinator: the MQTT shell around `reduceFarm`. It feeds the reducer the farm's messages, a
 * tick a second and Ctrl-C, and does what the reducer says: publish assignments and run controls, drive the
 * control traffic, report progress, and end with the run's outcome.
 */
export async function coordinateLoad(options: CoordinatorOptions): Promise<FarmOutcome> {
  const clock = options.clock ?? new RealClock();
  const { logger, plan, profile } = options;
  const runId = randomBytes(6).toString("hex");
  const topics = topicsOf(options.farm ?? "default");
  const client = await connect(options, runId);
  let leaving = false;
  client.on("error", (error) => {
    // Acknowledgements still arriving while the client leaves are not worth a warning.
    if (!leaving) logger.warn({ err: error }, "broker error");
  });

  let model = initialFarm(
    {
      runId,
      workers: options.workers,
      assignments: shardAssignments({
        runId,
        plan,
        shards: options.workers,
        loginAddresses: options.platforms.map((p) => p.loginAddress),
        profile,
      }),
      profile,
      waitForWorkersMs: options.waitForWorkersMs ?? 60_000,
      lateMs: options.lateMs ?? 10_000,
      silenceMs: options.silenceMs ?? 60_000,
    },
    clock.now(),
  );
  const shardOfDevice = new Map(
    model.config.assignments.flatMap((a) => a.devices.map((d) => [d.deviceId, a.shard])),
  );
  const controlErrors = new Map<string, number>();
  // A control goes to the API of the platform its device's shard logs in to.
  const apiUrlByLogin = new Map(options.platforms.map((p) => [p.loginAddress, p.apiUrl]));
  const apiUrlOfShard = model.config.assignments.map((a) => apiUrlByLogin.get(a.loginAddress) ?? "");
  const apiUrlOf = (deviceId: string) => apiUrlOfShard[shardOfDevice.get(deviceId) ?? 0] ?? "";
  const controls = options.platforms.some((p) => p.apiUrl === undefined)
    ? undefined
    : new ControlTraffic({
        apiUrlOf,
        perSecond: profile.controlsPerSecond,
        devices: plan.devices,
        clock,
        random: seededRandom(plan.seed).fork("controls"),
        isLive: (deviceId) => model.shards[shardOfDevice.get(deviceId) ?? -1]?.state !== "lost",
        countError: (kind) => controlErrors.set(kind, (controlErrors.get(kind) ?? 0) + 1),
      });
  const controlFigures = (): ControlFigures | undefined =>
    controls === undefined
      ? undefined
      : {
          latencies: controls.latencies.encode(),
          steadyLatencies: controls.steadyLatencies.encode(),
          errors: Object.fromEntries(controlErrors),
          sent: controls.sent,
        };

  const publish = (topic: string, message: unknown, what: string) =>
    client
      .publishAsync(topic, JSON.stringify(message), { qos: 1 })
      .catch((error) => logger.warn({ err: error, topic }, `${what} could not be published`));

  return new Promise<FarmOutcome>((resolve, reject) => {
    let ended = false;
    const end = (settle: () => void) => {
      if (ended) return;
      ended = true;
      tick.cancel();
      controls?.stop();
      leaving = true;
      client.endAsync().then(settle, settle);
    };
    const perform = (action: FarmAction): void => {
      switch (action.kind) {
        case "assign":
          void publish(topics.assign(action.workerId), action.assignment, "an assignment");
          break;
        case "stop-worker":
          void publish(
            topics.stopWorker(action.workerId),
            { action: "stop", reason: action.reason },
            "a stop",
          );
          break;
        case "run-control": {
          const send = () =>
            publish(topics.control(runId), { action: action.action, reason: action.reason }, action.action);
          if (action.action === "stop" && options.onEnding !== undefined) {
            let timer: Timer | undefined;
            const waited = new Promise<void>((resolve) => {
              timer = clock.setTimeout(resolve, ENDING_WAIT_MS, "load-ending");
            });
            void Promise.race([options.onEnding().catch(() => undefined), waited]).finally(() => {
              timer?.cancel();
              void send();
            });
          } else void send();
          break;
        }
        case "controls":
          if (action.step === "start") controls?.start();
          else if (action.step === "steady") {
            controls?.beginSteady();
            options.onSteady?.();
          } else controls?.stop();
          break;
        case "progress":
          options.onTick?.(action.state);
          break;
        case "log":
          logger[action.level](action.fields, action.message);
          break;
        case "give-up": {
          const message = `--workers ${options.workers}: only ${action.idle} idle worker(s) at ${options.brokerUrl} after ${Math.round(action.waitedMs / 1000)} s; start more with: hilfarm worker --broker ${options.brokerUrl}`;
          end(() => reject(new UsageError("workers", message)));
          break;
        }
        case "finish":
          end(() => resolve(action.outcome));
          break;
      }
    };
    const dispatch = (event: FarmEvent): void => {
      try {
        const step = reduceFarm(model, event);
        model = step.state;
        for (const action of step.actions) perform(action);
      } catch (error) {
        end(() => reject(error));
      }
    };
    client.on("message", (topic: string, payload: Buffer) => {
      if (topic.startsWith(topics.workersPrefix)) {
        if (payload.length === 0) return;
        const parsed = parseFarmMessage(WorkerStatusSchema, payload);
        if (!parsed.ok) return logger.warn({ topic, error: parsed.error }, "worker status ignored");
        return dispatch({ kind: "status", now: clock.now(), status: parsed.value });
      }
      const parsed = parseFarmMessage(WorkerSnapshotSchema, payload);
      if (!parsed.ok) return logger.warn({ topic, error: parsed.error }, "snapshot ignored");
      dispatch({ kind: "snapshot", now: clock.now(), snapshot: parsed.value });
    });
    const tick = clock.setInterval(
      () => {
        const figures = controlFigures();
        dispatch({ kind: "tick", now: clock.now(), ...(figures === undefined ? {} : { controls: figures }) });
      },
      1000,
      "load-tick",
    );
    const interrupt = () => dispatch({ kind: "interrupt", now: clock.now() });
    if (options.signal?.aborted) interrupt();
    else options.signal?.addEventListener("abort", interrupt, { once: true });
    Promise.all([
      client.subscribeAsync(topics.allStatuses, { qos: 1 }),
      client.subscribeAsync(topics.allSnapshots(runId), { qos: 1 }),
    ]).catch((error: unknown) => end(() => reject(error)));
  });
}
