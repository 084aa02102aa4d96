import { hostname } from "node:os";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { withoutCredentials } from "../../harness/link/mqtt-url.ts";
import { splitAddress } from "../../harness/link/socket-link.ts";
import { MQTT_CLIENT_OPTIONS } from "../../harness/mqtt/client-options.ts";
import {
  parseFarmMessage,
  RunControlSchema,
  type ShardAssignment,
  ShardAssignmentSchema,
  farmTopics as topicsOf,
  type WorkerSnapshot,
  type WorkerStatus,
} from "./farm-messages.ts";
import { ShardRunner } from "./shard-runner.ts";

export interface FarmWorkerOptions {
  brokerUrl: string;
  workerId: string;
  /** Farm name: its topics on the broker. Default `default`. */
  farm?: string;
  logger: Logger;
  /** Source addresses for the devices; `auto`: 127.0.0.2-127.0.0.9 when the platform is on loopback. */
  sourceAddresses: string[] | "auto";
  /** Devices this worker takes (its descriptor budget), announced to coordinators. */
  capacity: number;
  clock?: Clock;
  snapshotMs?: number;
}

/** A shard as its worker keeps it while the shard runs. */
interface ShardIdentity {
  runId: string;
  shard: number;
  devices: number;
}

export interface FarmWorker {
  readonly workerId: string;
  /** Resolves when the worker has said it is gone and left the broker. */
  stop(): Promise<void>;
}

/** 8 loopback source addresses: 8 x 28,232 ports to one platform address, for every worker on one machine. */
export const LOOPBACK_SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/**
 * The source addresses of a shard's devices, per transport. Given ones serve both. `auto`, with the platform on
 * loopback: the devices' UDP sockets over `LOOPBACK_SOURCES` (each binds a port, and one address has only the
 * ephemeral range), their TCP connections from the system's choice: a connect that binds a source address first
 * makes Linux search the ephemeral range for a port free on that address, which from about 55,000 held connections
 * costs milliseconds of kernel time per connect (`npm run bench:source-bind`), while a plain connect shares ports across
 * destinations (a reference platform process holds at most 18,976 TCP devices, spread over its connection servers).
 */
export function sourceAddressesFor(
  choice: string[] | "auto",
  loginAddress: string,
): { tcp: string[]; udp: string[] } {
  if (choice !== "auto") return { tcp: choice, udp: choice };
  const { host } = splitAddress(loginAddress);
  return { tcp: [], udp: host.startsWith("127.") ? LOOPBACK_SOURCES : [] };
}

/**
 * `hilfarm worker`: waits on the broker for a shard, runs it, streams cumulative snapshots once a second and a final
 * one when told to stop. Its last will tells coordinators it is gone the moment its connection drops.
 */
export async function startFarmWorker(options: FarmWorkerOptions): Promise<FarmWorker> {
  const { workerId, logger } = options;
  const clock = options.clock ?? new RealClock();
  const host = hostname();
  const farmTopics = topicsOf(options.farm ?? "default");
  const status = (state: WorkerStatus["state"], runId?: string): string =>
    JSON.stringify({
      workerId,
      state,
      host,
      pid: process.pid,
      capacity: options.capacity,
      ...(runId === undefined ? {} : { runId }),
    } satisfies WorkerStatus);
  const client: MqttClient = await mqtt.connectAsync(
    options.brokerUrl,
    {
      ...MQTT_CLIENT_OPTIONS,
      clientId: `hilfarm-worker-${workerId}-${process.pid}`,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // The broker drops a connection silent for 1.5 keepalives (90 s): past the coordinator's silence limit (60 s),
      // so that a worker starved of CPU is judged by the coordinator, and a hung one by its last will at the latest.
      keepalive: 60,
      will: {
        topic: farmTopics.status(workerId),
        payload: Buffer.from(status("gone")),
        qos: 1,
        retain: true,
      },
    },
    false,
  );
  client.on("error", (error) => logger.warn({ err: error }, "broker error"));

  let current:
    | {
        runner: ShardRunner | undefined;
        /** What the worker keeps of its assignment: the devices' list is the runner's to keep (as its fleet). */
        assignment: ShardIdentity;
        seq: number;
        timer: Timer;
        failure?: string;
      }
    | undefined;

  const publishSnapshot = async (final: boolean): Promise<void> => {
    if (current === undefined) return;
    const { runner, assignment } = current;
    const base = runner?.snapshot() ?? {
      shard: assignment.shard,
      elapsed: 0,
      devices: assignment.devices,
      poweredOn: 0,
      online: 0,
      latencies: {},
      steadyLatencies: {},
      baselineRssBytes: process.memoryUsage.rss(),
      framesOut: 0,
      framesIn: 0,
      errors: {},
      rssBytes: process.memoryUsage.rss(),
      cpuSeconds: 0,
    };
    const snapshot: WorkerSnapshot = {
      ...base,
      runId: assignment.runId,
      workerId,
      host,
      seq: ++current.seq,
      final,
      ...(current.failure === undefined ? {} : { failure: current.failure }),
    };
    const payload = JSON.stringify(snapshot);
    if (final)
      await client.publishAsync(farmTopics.snapshot(assignment.runId, workerId), payload, { qos: 1 });
    else client.publish(farmTopics.snapshot(assignment.runId, workerId), payload, { qos: 0 });
  };

  const finish = async (reason: string): Promise<void> => {
    if (current === undefined) return;
    const run = current;
    run.timer.cancel();
    // The final snapshot is taken before the devices power off: it shows the run as it stood.
    const published = publishSnapshot(true);
    run.runner?.stop();
    await published;
    logger.info({ runId: run.assignment.runId, shard: run.assignment.shard, reason }, "shard stopped");
    client.unsubscribe(farmTopics.control(run.assignment.runId));
    current = undefined;
    await client.publishAsync(farmTopics.status(workerId), status("idle"), { qos: 1, retain: true });
  };

  const assign = async (assignment: ShardAssignment): Promise<void> => {
    if (current !== undefined) {
      logger.warn(
        { runId: assignment.runId, shard: assignment.shard, busyWith: current.assignment.runId },
        "shard refused: this worker is busy",
      );
      return;
    }
    const timer = clock.setInterval(
      () => void publishSnapshot(false),
      options.snapshotMs ?? 1000,
      "snapshot",
    );
    const { runId, shard } = assignment;
    current = {
      runner: undefined,
      assignment: { runId, shard, devices: assignment.devices.length },
      seq: 0,
      timer,
    };
    await client.subscribeAsync(farmTopics.control(assignment.runId), { qos: 1 });
    await client.publishAsync(farmTopics.status(workerId), status("busy", assignment.runId), {
      qos: 1,
      retain: true,
    });
    try {
      const runner = new ShardRunner({
        assignment,
        logger,
        sourceAddresses: sourceAddressesFor(options.sourceAddresses, assignment.loginAddress),
      });
      current.runner = runner;
      runner.start();
      logger.info(
        { runId: assignment.runId, shard: assignment.shard, devices: runner.devices },
        "shard started",
      );
    } catch (error) {
      current.failure = error instanceof Error ? error.message : String(error);
      logger.error(
        { runId: assignment.runId, shard: assignment.shard, failure: current.failure },
        "shard failed",
      );
      await finish("failed to start");
    }
  };

  client.on("message", (topic, payload) => {
    if (topic === farmTopics.assign(workerId)) {
      const parsed = parseFarmMessage(ShardAssignmentSchema, payload);
      if (!parsed.ok) {
        logger.warn({ topic, error: parsed.error }, "assignment refused: does not parse");
        return;
      }
      void assign(parsed.value).catch((error) => logger.error({ err: error }, "assignment failed"));
      return;
    }
    if (
      current !== undefined &&
      (topic === farmTopics.control(current.assignment.runId) || topic === farmTopics.stopWorker(workerId))
    ) {
      const parsed = parseFarmMessage(RunControlSchema, payload);
      if (parsed.ok && parsed.value.action === "steady") current.runner?.observer.beginSteady();
      else if (parsed.ok)
        void finish(parsed.value.reason).catch((error) => logger.error({ err: error }, "stop failed"));
      else logger.warn({ topic, error: parsed.error }, "control message refused: does not parse");
    }
  });
  await client.subscribeAsync([farmTopics.assign(workerId), farmTopics.stopWorker(workerId)], { qos: 1 });
  await client.publishAsync(farmTopics.status(workerId), status("idle"), { qos: 1, retain: true });
  logger.info({ workerId, broker: withoutCredentials(options.brokerUrl) }, "worker ready");

  return {
    workerId,
    stop: async () => {
      // With the broker gone (a coordinator that died with its embedded broker), nothing would ever acknowledge
      // these: the worker says what it can within a few seconds and leaves.
      const said = (async () => {
        await finish("worker stopping");
        await client.publishAsync(farmTopics.status(workerId), status("gone"), { qos: 1, retain: true });
      })().catch((error: Error) => logger.warn({ err: error }, "goodbye not delivered"));
      const late = new Promise<"late">((resolve) =>
        clock.setTimeout(() => resolve("late"), 5000, "stop-wait"),
      );
      if ((await Promise.race([said, late])) === "late") {
        current?.runner?.stop();
        logger.warn("the broker did not acknowledge the goodbye within 5 s; leaving anyway");
      }
      await client.endAsync(true);
    },
  };
}
