import type { EventEmitter } from "node:events";
import type { McMessage } from "../protocol/mc/schemas/index.ts";
import { type EvidenceFrame, maskedRaw, refusedFrame, seenFrame } from "./evidence-frame.ts";
import { type LatencyKind, RoundTrips } from "./latency.ts";
import type { PlatformEvents } from "./platform-events.ts";

/** What a recorder needs of a platform: its frame and session events. */
export interface WatchablePlatform {
  events: EventEmitter<PlatformEvents>;
}

/** What a recorder needs of a device: its id, clock and frame events. */
export interface WatchableDevice {
  readonly deviceId: string;
  on(
    event: "frame",
    listener: (frame: { direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array }) => void,
  ): unknown;
  off(
    event: "frame",
    listener: (frame: { direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array }) => void,
  ): unknown;
}

/** A failure's frame timeline: the frames just before the moment it was seen, and a few after. */
export interface Timeline {
  failedAt: number;
  frames: EvidenceFrame[];
}

/** What one scenario leaves behind for the reports. */
export interface ScenarioEvidence {
  frameCount: number;
  targetMs: number;
  latencies: Record<LatencyKind, number[]>;
  /** Devices with a session, each time the count changed: [clock ms since the first sample, count]. */
  online: Array<[number, number]>;
  timeline?: Timeline;
}

/**
 * Records the frames a scenario exchanges (both sides, decrypted with secrets masked, and raw), the round trips
 * they make, and how many devices are online over time. Keeps the last `keep` frames in memory for failure
 * timelines; a `sink` sees every frame (an evidence file).
 */
export class EvidenceRecorder {
  private readonly recent: Recorded[] = [];
  private readonly roundTrips = new RoundTrips();
  private readonly onlineDevices = new Set<string>();
  private readonly onlineSeries: Array<[number, number]> = [];
  private count = 0;
  private lastAt = 0;
  private readonly clocks: Array<{ clock: { now(): number }; start: number }> = [];

  constructor(private readonly options: { keep?: number; sink?: (frame: EvidenceFrame) => void } = {}) {}

  get frameCount(): number {
    return this.count;
  }

  /** The scenario's clock: the moment a failure is seen is read from it. */
  useClock(clock: { now(): number }): void {
    if (!this.clocks.some((c) => c.clock === clock)) this.clocks.push({ clock, start: clock.now() });
  }

  /** Now on the scenario's latest clock, or the time of the last frame seen when no clock was given. */
  now(): number {
    return this.clocks.at(-1)?.clock.now() ?? this.lastAt;
  }

  /** Time that passed on the scenario's clocks (simulated, on virtual clocks). */
  get targetMs(): number {
    return this.clocks.reduce((sum, { clock, start }) => sum + (clock.now() - start), 0);
  }

  /**
   * One frame seen. `line`, the frame line as it went on the wire, is copied now (a reader's buffer is reused) and
   * masked into `frame.raw` when the frame is read: by the sink at once, by a failure's timeline later.
   */
  record(frame: EvidenceFrame, line?: Uint8Array): void {
    this.count++;
    this.lastAt = Math.max(this.lastAt, frame.at);
    const recorded: Recorded = { frame, line: line === undefined ? undefined : Buffer.from(line) };
    this.recent.push(recorded);
    if (this.recent.length > (this.options.keep ?? 2_000)) this.recent.shift();
    this.roundTrips.observe(frame);
    if (this.options.sink !== undefined) this.options.sink(read(recorded));
  }

  setOnline(deviceId: string, online: boolean, at: number): void {
    const before = this.onlineDevices.size;
    if (online) this.onlineDevices.add(deviceId);
    else this.onlineDevices.delete(deviceId);
    this.lastAt = Math.max(this.lastAt, at);
    if (this.onlineDevices.size !== before || this.onlineSeries.length === 0)
      this.onlineSeries.push([at, this.onlineDevices.size]);
  }

  /** Records every frame the platform exchanges and every session it opens or ends. Returns an unsubscribe. */
  watchPlatform(platform: WatchablePlatform, clock: { now(): number }): () => void {
    this.useClock(clock);
    return watchPlatform(platform, clock, () => this);
  }

  /** Records every frame a device sends and receives, as the device saw it. Returns an unsubscribe. */
  watchDevice(device: WatchableDevice): () => void {
    return watchDevice(device, () => this);
  }

  /**
   * The frames around a failure seen at `failedAt`: up to `before` frames at or before it and `after` past it. On
   * the platform's side when it was watched (one line per frame on the wire), else the devices'.
   */
  timeline(failedAt: number, before = 40, after = 10): Timeline {
    const platformSide = this.recent.some((r) => r.frame.observer === "platform");
    const frames = this.recent.filter((r) => r.frame.observer === (platformSide ? "platform" : "device"));
    const cut = frames.findIndex((r) => r.frame.at > failedAt);
    const end = cut < 0 ? frames.length : cut;
    return { failedAt, frames: frames.slice(Math.max(0, end - before), end + after).map(read) };
  }

  evidence(failedAt?: number): ScenarioEvidence {
    const start = this.onlineSeries[0]?.[0] ?? 0;
    return {
      frameCount: this.count,
      targetMs: this.targetMs,
      latencies: this.roundTrips.samples,
      online: this.onlineSeries.map(([at, n]) => [at - start, n]),
      ...(failedAt === undefined ? {} : { timeline: this.timeline(failedAt) }),
    };
  }
}

/** A frame as recorded: its raw line still to be masked while `line` is set. */
interface Recorded {
  frame: EvidenceFrame;
  line: Buffer | undefined;
}

function read(recorded: Recorded): EvidenceFrame {
  if (recorded.line !== undefined) {
    recorded.frame.raw = maskedRaw(recorded.line);
    recorded.line = undefined;
  }
  return recorded.frame;
}

type FrameEvent = { direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array };

/**
 * Feeds a platform's frames and sessions to the recorder `recorderOf` names when each happens (if any); with `only`,
 * those of the devices it accepts (a device under test among a background fleet).
 */
export function watchPlatform(
  platform: WatchablePlatform,
  clock: { now(): number },
  recorderOf: () => EvidenceRecorder | undefined,
  only: (deviceId: string) => boolean = () => true,
): () => void {
  const onFrame = (f: FrameEvent & { deviceId: string }) => {
    if (only(f.deviceId))
      recorderOf()?.record(seenFrame("platform", f.deviceId, f.direction, f.message, f.at), f.raw);
  };
  const onSession = ({ deviceId }: { deviceId: string }) => {
    if (only(deviceId)) recorderOf()?.setOnline(deviceId, true, clock.now());
  };
  const onEnd = ({ deviceId }: { deviceId: string }) => {
    if (only(deviceId)) recorderOf()?.setOnline(deviceId, false, clock.now());
  };
  platform.events.on("frame", onFrame);
  platform.events.on("login-frame", onFrame);
  const onRefused = (refusal: { outcome: string; raw?: Uint8Array; deviceId?: string; at: number }) => {
    if (refusal.deviceId === undefined || only(refusal.deviceId))
      recorderOf()?.record(refusedFrame(refusal, refusal.at));
  };
  platform.events.on("login-refused", onRefused);
  platform.events.on("session", onSession);
  platform.events.on("session-end", onEnd);
  return () => {
    platform.events.off("frame", onFrame);
    platform.events.off("login-frame", onFrame);
    platform.events.off("login-refused", onRefused);
    platform.events.off("session", onSession);
    platform.events.off("session-end", onEnd);
  };
}

/** Feeds a device's frames, as the device saw them, to the recorder `recorderOf` names when each passes. */
export function watchDevice(
  device: WatchableDevice,
  recorderOf: () => EvidenceRecorder | undefined,
): () => void {
  const onFrame = (f: FrameEvent) =>
    recorderOf()?.record(seenFrame("device", device.deviceId, f.direction, f.message, f.at), f.raw);
  device.on("frame", onFrame);
  return () => device.off("frame", onFrame);
}
