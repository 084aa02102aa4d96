import { performance } from "node:perf_hooks";
import type { DeviceEvents, DeviceObserver, EmulatedDevice } from "../device/emulated-device.ts";
import { LatencyHistograms } from "./latency-histograms.ts";
import type { LoadLatencyKind } from "./load-report.ts";

/** Device-side round trips, by request code: the answer's code and the histogram it goes to. */
const roundTrips = new Map<number, { response: number; kind: LoadLatencyKind }>([
  [1002, { response: 1003, kind: "login" }],
  [1004, { response: 1005, kind: "connect" }],
  [1000, { response: 1001, kind: "heartbeat" }],
  [2006, { response: 2007, kind: "report" }],
]);
const requestOf = new Map([...roundTrips].map(([request, r]) => [r.response, request]));

/** Where the pair of `key` starts in a device's open requests (key, first send, key, first send, ...), or -1. */
function pairOf(open: readonly number[], key: number): number {
  for (let i = 0; i < open.length; i += 2) if (open[i] === key) return i;
  return -1;
}

/** Three sends 10 s apart and a little (5.2): an answer later than this answers something else. */
const STALE_MS = 35_000;

export interface FarmCounters {
  framesOut: number;
  framesIn: number;
  /** Requests sent again with the same sequence (5.2). */
  resends: number;
}

/**
 * Measures a farm's devices through one shared observer (no listener per device): round trips into HDR histograms,
 * frames, resends, errors by kind, and which devices are online.
 */
export class FarmObserver implements DeviceObserver {
  readonly latencies = new LatencyHistograms();
  /** Round trips once the coordinator declared the run steady (everything ramped and online). */
  readonly steadyLatencies = new LatencyHistograms();
  private steady = false;
  readonly counters: FarmCounters = { framesOut: 0, framesIn: 0, resends: 0 };
  readonly errors = new Map<string, number>();
  private readonly onlineDevices = new Set<EmulatedDevice>();
  /** Watched until they are all online, or until churn power-cycles devices (`stopWatchingAllOnline`). */
  private expected: { devices: number; now: () => number } | undefined;
  private firstAllOnlineAt: number | undefined;
  /**
   * Requests awaiting an answer, per device, as pairs in one array: code * 65536 + sequence, then its first send
   * (performance.now()). A device has one or two at a time (its requests go one at a time, a login on a link of its
   * own): numbers in an array, not a map per device with a boxed number per entry, for every login of a ramp.
   */
  private readonly open = new Map<EmulatedDevice, number[]>();

  get online(): number {
    return this.onlineDevices.size;
  }

  /** The shard's device count and its clock: the observer notes when they are first all online at once. */
  expectDevices(devices: number, now: () => number): void {
    this.expected = { devices, now };
  }

  /** When every expected device was first online at once (the ramp's end for this shard), by the given clock. */
  get allOnlineAt(): number | undefined {
    return this.firstAllOnlineAt;
  }

  /**
   * From here on devices go offline by the run's churn: their coming back is not the ramp's end. (A run turns steady
   * a minute after the ramp even with devices still logging in; without churn, their coming online still counts.)
   */
  stopWatchingAllOnline(): void {
    this.expected = undefined;
  }

  beginSteady(): void {
    this.steady = true;
  }

  /** Whether the coordinator declared the run steady (every device online, or a minute after the ramp). */
  get isSteady(): boolean {
    return this.steady;
  }

  /** How late the worker ran its delay probe, due every `periodMs` (harness/clock/delay-probe.ts). */
  farmDelay(lateMs: number, periodMs: number): void {
    this.latencies.record("farm-delay", lateMs, periodMs);
    if (this.steady) this.steadyLatencies.record("farm-delay", lateMs, periodMs);
  }

  /** How late the worker's timer wheel fired a timer (a heartbeat, a resend, a ramp tick) beyond its resolution. */
  timerLate(lateMs: number): void {
    this.latencies.record("timer-late", lateMs);
    if (this.steady) this.steadyLatencies.record("timer-late", lateMs);
  }

  countError(kind: string, n = 1): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + n);
  }

  deviceEvent<K extends keyof DeviceEvents>(device: EmulatedDevice, event: K, arg: DeviceEvents[K][0]): void {
    switch (event) {
      case "frame":
        this.frame(device, arg as DeviceEvents["frame"][0]);
        break;
      case "state":
        if (arg === "online") {
          this.onlineDevices.add(device);
          if (this.expected !== undefined && this.onlineDevices.size >= this.expected.devices) {
            this.firstAllOnlineAt = this.expected.now();
            this.expected = undefined;
          }
        } else this.onlineDevices.delete(device);
        if (arg === "off") this.open.delete(device);
        break;
      case "login-failed":
        this.countError(`login-${(arg as DeviceEvents["login-failed"][0]).reason}`);
        break;
      case "relogin": {
        // One kind per event: error totals (stop conditions, progress, /metrics) add the kinds up.
        const { cause } = arg as DeviceEvents["relogin"][0];
        this.countError(cause === undefined ? "relogin" : `relogin-${cause}`);
        break;
      }
      case "resend":
        this.counters.resends++;
        this.countError(`resend-${(arg as DeviceEvents["resend"][0]).code}`);
        break;
    }
  }

  private frame(device: EmulatedDevice, frame: DeviceEvents["frame"][0]): void {
    const now = performance.now();
    const { code, body } = frame.message;
    if (frame.direction === "out") this.counters.framesOut++;
    else this.counters.framesIn++;
    const sequenceText = (body as { sequence?: unknown }).sequence;
    if (typeof sequenceText !== "string") return;
    const sequence = Number.parseInt(sequenceText, 10);
    if (frame.direction === "out") {
      if (!roundTrips.has(code)) return;
      // A login starts the device's sequences afresh: what it left unanswered will never be answered.
      if (code === 1002) this.open.delete(device);
      const key = code * 65536 + sequence;
      const open = this.open.get(device);
      if (open === undefined) {
        this.open.set(device, [key, now]);
        return;
      }
      const at = pairOf(open, key);
      if (at < 0) open.push(key, now);
      // The same request again (a misbehaving device's repeat): the round trip runs from the first send.
      else if (now - (open[at + 1] as number) > STALE_MS) open[at + 1] = now;
      return;
    }
    const request = requestOf.get(code);
    if (request === undefined) return;
    const open = this.open.get(device);
    const at = open === undefined ? -1 : pairOf(open, request * 65536 + sequence);
    if (open === undefined || at < 0) return;
    const sentAt = open[at + 1] as number;
    // The last pair moves into the answered one's place.
    open[at] = open[open.length - 2] as number;
    open[at + 1] = open[open.length - 1] as number;
    open.length -= 2;
    if (open.length === 0) this.open.delete(device);
    const rtt = now - sentAt;
    if (rtt > STALE_MS) return;
    const kind = (roundTrips.get(request) as { kind: LoadLatencyKind }).kind;
    this.latencies.record(kind, rtt);
    if (this.steady) this.steadyLatencies.record(kind, rtt);
  }
}
