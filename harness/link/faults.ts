import type { Clock } from "../clock/clock.ts";
import type { Random } from "../random/random.ts";
import type { Connector, Link } from "./socket-link.ts";

/**
 * Faults on a link, frame by frame, in the manner of Toxiproxy's toxics. Probabilities are 0..1, drawn from the
 * run's seeded randomness; delays run on the injected clock, so they cost nothing on a VirtualClock.
 */
export interface LinkFaults {
  /** Every frame is delayed this long... */
  latencyMs: number;
  /** ...plus or minus up to this much. Frames keep their order unless `reorder` says otherwise. */
  jitterMs: number;
  drop: number;
  duplicate: number;
  /** A frame is held back so that the next one overtakes it. */
  reorder: number;
  /** One byte of the frame is flipped. */
  corrupt: number;
  /** Frames leave no faster than this (0: no limit). */
  bandwidthBytesPerSecond: number;
  /** A close takes this long to happen (a slow FIN). */
  slowCloseMs: number;
  /** Which way the faults act: device to platform (`up`), platform to device (`down`), or both. */
  direction: "both" | "up" | "down";
}

export const noFaults = (): LinkFaults => ({
  latencyMs: 0,
  jitterMs: 0,
  drop: 0,
  duplicate: 0,
  reorder: 0,
  corrupt: 0,
  bandwidthBytesPerSecond: 0,
  slowCloseMs: 0,
  direction: "both",
});

export type CutMode = "half-open" | "reset";

/** How long a reordered frame waits for a frame to overtake it. */
const REORDER_WINDOW_MS = 100;

interface Lane {
  /** When the last frame on this lane is due: later frames are not delivered before it. */
  lastDueAt: number;
  /** A frame held back by `reorder`, released after the next one. */
  held: (() => void) | undefined;
  /** Frames scheduled on this lane and not yet delivered. */
  inFlight: number;
  /** What waits for the lane to empty (a close behind the data). */
  whenEmpty: Array<() => void>;
}

const newLane = (): Lane => ({ lastDueAt: 0, held: undefined, inFlight: 0, whenEmpty: [] });

function delivered(lane: Lane): void {
  lane.inFlight--;
  if (lane.inFlight > 0) return;
  for (const then of lane.whenEmpty.splice(0)) then();
}

/**
 * A connector whose links suffer the faults set on it (at start or at run time), and which can be cut:
 * `half-open` (frames vanish both ways, nobody is told: a pulled cable) or `reset` (the connection closes now).
 */
export class FaultyConnector implements Connector {
  private current: LinkFaults;
  private readonly links = new Set<FaultyLink>();
  private cutMode: CutMode | undefined;

  constructor(
    private readonly inner: Connector,
    private readonly clock: Clock,
    private readonly random: Random,
    faults: Partial<LinkFaults> = {},
  ) {
    this.current = { ...noFaults(), ...faults };
  }

  get faults(): LinkFaults {
    return this.current;
  }

  /** Changes the faults at run time; links already open follow at once. */
  set(faults: Partial<LinkFaults>): void {
    this.current = { ...this.current, ...faults };
  }

  /** Cuts every open link, and keeps new connections from opening until `heal`. */
  cut(mode: CutMode): void {
    this.cutMode = mode;
    for (const link of this.links) link.cut(mode);
  }

  /** The network is whole again: the cut ends and every fault set so far is cleared (set new ones after). */
  heal(): void {
    this.cutMode = undefined;
    for (const link of this.links) link.heal();
    this.current = noFaults();
  }

  get isCut(): boolean {
    return this.cutMode !== undefined;
  }

  async open(transport: "tcp" | "udp", address: string): Promise<Link> {
    if (this.cutMode !== undefined) throw new Error(`link to ${address} is cut (${this.cutMode})`);
    const inner = await this.inner.open(transport, address);
    // A cut made while the connection was opening reaches it too.
    if (this.cutMode !== undefined) {
      inner.close();
      throw new Error(`link to ${address} is cut (${this.cutMode})`);
    }
    const link = new FaultyLink(inner, this);
    this.links.add(link);
    link.onClose(() => this.links.delete(link));
    return link;
  }

  /** @internal */
  decide(direction: "up" | "down", frame: Buffer, lane: Lane, deliver: (bytes: Buffer) => void): void {
    const f = this.current;
    if (f.direction !== "both" && f.direction !== direction) {
      deliver(frame);
      return;
    }
    if (f.drop > 0 && this.chance(f.drop)) return;
    const copies = f.duplicate > 0 && this.chance(f.duplicate) ? 2 : 1;
    let bytes = frame;
    if (f.corrupt > 0 && this.chance(f.corrupt) && bytes.length > 0) {
      bytes = Buffer.from(bytes);
      const at = this.random.int(0, bytes.length - 1);
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    }
    const now = this.clock.now();
    const jitter = f.jitterMs > 0 ? this.random.int(-f.jitterMs, f.jitterMs) : 0;
    const transmit =
      f.bandwidthBytesPerSecond > 0 ? Math.ceil((bytes.length * 1000) / f.bandwidthBytesPerSecond) : 0;
    // Order is kept: a frame never arrives before the one sent ahead of it on the same lane.
    const dueAt = Math.max(now + Math.max(0, f.latencyMs + jitter), lane.lastDueAt) + transmit;
    lane.lastDueAt = dueAt;
    lane.inFlight++;
    const send = () => {
      for (let i = 0; i < copies; i++) deliver(bytes);
      delivered(lane);
    };
    const release = () => {
      const held = lane.held;
      lane.held = undefined;
      send();
      held?.();
    };
    if (f.reorder > 0 && lane.held === undefined && this.chance(f.reorder)) {
      // Overtaken by the next frame; if none comes, it still arrives, a little late.
      let done = false;
      const late = () => {
        if (done) return;
        done = true;
        send();
      };
      lane.held = late;
      this.clock.setTimeout(
        () => {
          if (lane.held === late) lane.held = undefined;
          late();
        },
        Math.max(REORDER_WINDOW_MS, f.latencyMs * 2),
        "link-fault",
      );
      return;
    }
    if (dueAt <= now) release();
    else this.clock.setTimeout(release, dueAt - now, "link-fault");
  }

  /**
   * @internal Runs `then` once every frame queued on the lane has been delivered: by counting deliveries, not by
   * racing a timer against theirs (timers of different lengths need not fire in order under load).
   */
  afterLane(lane: Lane, then: () => void): void {
    if (lane.inFlight === 0) then();
    else lane.whenEmpty.push(then);
  }

  /** @internal */
  closeAfterSlowClose(close: () => void): void {
    if (this.current.slowCloseMs > 0)
      this.clock.setTimeout(close, this.current.slowCloseMs, "link-slow-close");
    else close();
  }

  private chance(p: number): boolean {
    return this.random.int(0, 999_999) < p * 1_000_000;
  }
}

class FaultyLink implements Link {
  readonly transport: "tcp" | "udp";
  private blackholed = false;
  private readonly up: Lane = newLane();
  private readonly down: Lane = newLane();
  /** Grown by `concat`, as LinkEvents' lists are. */
  private lineListeners: ReadonlyArray<(line: Buffer) => void> = [];

  constructor(
    private readonly inner: Link,
    private readonly connector: FaultyConnector,
  ) {
    this.transport = inner.transport;
    inner.onLine((line) => {
      if (this.blackholed) return;
      this.connector.decide("down", line, this.down, (bytes) => {
        if (!this.blackholed) for (const l of this.lineListeners) l(bytes);
      });
    });
  }

  send(frame: Buffer): void {
    if (this.blackholed) return;
    this.connector.decide("up", frame, this.up, (bytes) => {
      if (!this.blackholed) this.inner.send(bytes);
    });
  }

  close(): void {
    this.connector.closeAfterSlowClose(() => this.inner.close());
  }

  onLine(listener: (line: Buffer) => void): void {
    this.lineListeners = this.lineListeners.concat(listener);
  }
  onBadFrame(listener: Parameters<Link["onBadFrame"]>[0]): void {
    this.inner.onBadFrame(listener);
  }
  onClose(listener: () => void): void {
    // A close travels behind the frames already on their way down, as a FIN behind the data.
    this.inner.onClose(() => this.connector.afterLane(this.down, listener));
  }

  cut(mode: CutMode): void {
    if (mode === "reset") this.inner.close();
    else this.blackholed = true;
  }

  /** The network is whole again: the cut ends and every fault set so far is cleared (set new ones after). */
  heal(): void {
    this.blackholed = false;
  }
}

/** A set of devices cut off together (a network partition), and joined again. */
export class Partition {
  private readonly members = new Set<FaultyConnector>();

  add(...connectors: FaultyConnector[]): this {
    for (const c of connectors) this.members.add(c);
    return this;
  }

  isolate(mode: CutMode = "half-open"): void {
    for (const c of this.members) c.cut(mode);
  }

  /** The network is whole again: the cut ends and every fault set so far is cleared (set new ones after). */
  heal(): void {
    for (const c of this.members) c.heal();
  }
}
