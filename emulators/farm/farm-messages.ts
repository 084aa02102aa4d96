import { z } from "zod";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import { loadLatencyKinds } from "./load-report.ts";
import { RAMP_HOLD_MAX_MS, type RampHold } from "./ramp-pacing.ts";

/**
 * The farm's MQTT protocol between one coordinator (`hilfarm load`) and its workers (`hilfarm worker`), under
 * `hilfarm/farm/<farm>/` so that several farms can share a broker:
 *
 * - `workers/<workerId>/status` (retained): idle, busy or gone; a worker's last will says gone;
 * - `workers/<workerId>/assign`: a shard to run (QoS 1); `workers/<workerId>/stop`: stop it (QoS 1);
 * - `runs/<runId>/snapshot/<workerId>`: cumulative metrics, once a second and once more at the end;
 * - `runs/<runId>/control`: stop (QoS 1).
 */
export function farmTopics(farm: string) {
  const root = `hilfarm/farm/${farm}`;
  return {
    workersPrefix: `${root}/workers/`,
    status: (workerId: string) => `${root}/workers/${workerId}/status`,
    allStatuses: `${root}/workers/+/status`,
    assign: (workerId: string) => `${root}/workers/${workerId}/assign`,
    /** Stops one worker's shard: a worker reported lost that comes back must not run its devices twice. */
    stopWorker: (workerId: string) => `${root}/workers/${workerId}/stop`,
    snapshot: (runId: string, workerId: string) => `${root}/runs/${runId}/snapshot/${workerId}`,
    allSnapshots: (runId: string) => `${root}/runs/${runId}/snapshot/+`,
    control: (runId: string) => `${root}/runs/${runId}/control`,
  };
}
export type FarmTopics = ReturnType<typeof farmTopics>;

/** A farm name: one MQTT topic level. */
export const FARM_NAME = /^[\w.-]{1,64}$/;

export const WorkerStatusSchema = z.object({
  workerId: z.string().min(1),
  state: z.enum(["idle", "busy", "gone"]),
  host: z.string().default(""),
  pid: z.number().int().optional(),
  runId: z.string().optional(),
  /** Devices this worker can hold (its file-descriptor budget). */
  capacity: z.number().int().min(0).default(0),
});
export type WorkerStatus = z.output<typeof WorkerStatusSchema>;

type WirePlannedDevice = {
  deviceId: string;
  pin: string;
  profileName: string;
  misbehaviour?: Record<string, boolean | number> | undefined;
  subDevices?: WirePlannedDevice[] | undefined;
};
const PlannedDeviceSchema: z.ZodType<WirePlannedDevice> = z.lazy(() =>
  z.object({
    deviceId: z.string().min(1),
    pin: z.string().min(1),
    profileName: z.string().min(1),
    misbehaviour: z.record(z.string(), z.union([z.boolean(), z.number()])).optional(),
    subDevices: z.array(PlannedDeviceSchema).optional(),
  }),
);

/** `hilfarm load --ramp-hold`: ms late, or off. */
export const RampHoldSchema = z.union([z.number().int().min(1).max(RAMP_HOLD_MAX_MS), z.literal("off")]);

/** What a ramp hold may be, as messages that refuse one say it. */
export const RAMP_HOLD_RULE = `off or a whole number of ms in 1..${RAMP_HOLD_MAX_MS}`;

/** A ramp hold as written on a command line or in a setting (`off`, or ms); undefined when it is neither. */
export function parseRampHold(text: string): RampHold | undefined {
  const parsed = RampHoldSchema.safeParse(
    text === "off" ? text : text.trim() === "" ? Number.NaN : Number(text),
  );
  return parsed.success ? parsed.data : undefined;
}

export const ShardAssignmentSchema = z.object({
  runId: z.string().min(1),
  shard: z.number().int().min(0),
  /** Platform login server, `host:port`. */
  loginAddress: z.string().min(1),
  transport: z.enum(["auto", "tcp", "udp"]),
  seed: z.number().int(),
  /** Devices powered on per second, for this shard. */
  rampPerSecond: z.number().positive(),
  /** Devices power-cycled per second once the run is steady, for this shard. */
  churnPerSecond: z.number().min(0),
  /** When the worker holds its ramp (ramp-pacing.ts); absent from coordinators of earlier versions: at 100 ms. */
  rampHold: RampHoldSchema.optional(),
  faults: z.string().optional(),
  /** Profiles by name, as JSON: the worker validates them itself. */
  profiles: z.record(z.string(), z.unknown()),
  devices: z.array(PlannedDeviceSchema),
});
export type ShardAssignment = z.output<typeof ShardAssignmentSchema>;

/** Milliseconds since the epoch by a worker's clock, within the range a Date holds. */
const EpochMs = z.number().int().min(0).max(8.64e15);

const Latencies = z.partialRecord(z.enum(loadLatencyKinds), z.string());

export const WorkerSnapshotSchema = z.object({
  runId: z.string(),
  workerId: z.string(),
  host: z.string(),
  shard: z.number().int(),
  /** Counts up; a coordinator ignores a snapshot older than one it has. */
  seq: z.number().int(),
  final: z.boolean(),
  /** Seconds since the shard started. */
  elapsed: z.number(),
  devices: z.number().int(),
  poweredOn: z.number().int(),
  online: z.number().int(),
  /**
   * The ramp by the worker's own clock, ms since the epoch: its first device powered on, its last, and the moment all
   * its devices were first online at once. Each absent until it happens, and from workers of versions before them.
   */
  firstPowerOnAt: EpochMs.optional(),
  lastPowerOnAt: EpochMs.optional(),
  allOnlineAt: EpochMs.optional(),
  /** How long the shard held its ramp while the worker ran behind (ramp-pacing.ts); absent from earlier versions. */
  rampHeldMs: z.number().nonnegative().optional(),
  latencies: Latencies,
  steadyLatencies: Latencies,
  /** The worker's RSS before it built the shard's devices. */
  baselineRssBytes: z.number(),
  framesOut: z.number().int(),
  framesIn: z.number().int(),
  errors: z.record(z.string(), z.number()),
  rssBytes: z.number(),
  /** The most RSS the worker's snapshots of this run saw; absent from workers of versions before it. */
  peakRssBytes: z.number().optional(),
  cpuSeconds: z.number(),
  /**
   * How long the worker's main thread waited for a core while it ran the shard (Linux's /proc/self/schedstat): a
   * worker short of CPU reads its devices' answers late. Absent off Linux and from workers of versions before it.
   */
  coreWaitSeconds: z.number().nonnegative().optional(),
  /** Why the shard could not run, when it could not. */
  failure: z.string().optional(),
});
export type WorkerSnapshot = z.output<typeof WorkerSnapshotSchema>;

/** `steady`: everything is ramped and online, measure the steady state apart from here on; `stop`: the end. */
export const RunControlSchema = z.object({ action: z.enum(["steady", "stop"]), reason: z.string() });

/** Parses a farm message; a message that does not parse is reported by the caller and never crashes it. */
export function parseFarmMessage<T>(
  schema: z.ZodType<T>,
  payload: Buffer,
): { ok: true; value: T } | { ok: false; error: string } {
  const json = parseJsonSafely(payload.toString("utf8"));
  if (!json.ok) return { ok: false, error: `not JSON: ${json.reason}` };
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `${issue?.path.join(".") || "(message)"}: ${issue?.message ?? "invalid"}`,
    };
  }
  return { ok: true, value: parsed.data };
}
