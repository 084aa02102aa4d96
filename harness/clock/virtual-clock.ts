import type { Clock, Timer } from "./clock.ts";
import { ioEvents, ioPending, loopTurn } from "./io-quiet.ts";
import { TimerHeap } from "./timer-heap.ts";

export interface PendingTimer {
  readonly name: string;
  readonly dueAt: number;
  /** Set for intervals. */
  readonly periodMs: number | undefined;
}

interface Entry {
  name: string;
  dueAt: number;
  /** Insertion order: timers due at the same instant fire in the order they were scheduled. */
  order: number;
  periodMs: number | undefined;
  callback: () => void;
  cancelled: boolean;
}

export interface RunUntilOptions {
  /** Give up (throw) when the condition still fails this many simulated ms after the call. Default 24 h. */
  maxMs?: number;
}

/** 2026-01-01T00:00:00Z: a realistic epoch for the spec's `time` fields. */
export const VIRTUAL_EPOCH = Date.UTC(2026, 0, 1);

export interface VirtualClockOptions {
  /** Start time, ms since the epoch. Default `VIRTUAL_EPOCH`. */
  start?: number;
  /**
   * Event-loop turns given to real I/O (loopback sockets) and promise chains before each virtual timer fires in the
   * async methods. Each turn lets one hop (request -> response) complete. Default 50.
   */
  ioTurns?: number;
  /**
   * Stop giving turns, before `ioTurns`, once this many turns in a row passed with no I/O event, no request in flight
   * and no other callback queued for the check phase (`io-quiet.ts`). Default: never (always `ioTurns`). Right for hilfarm's own sockets (Mc worlds:
   * `QUIET_TURNS`); libraries with work scheduled on real timers (HTTP clients, TLS) can look quiet while it waits.
   */
  quietTurns?: number;
  /**
   * Real ms the clock waits for pending `realWork` before it throws: a download that never ends would otherwise hold
   * simulated time still for ever. Default 10,000.
   */
  realWorkLimitMs?: number;
}

/** Quiet turns after which the I/O of hilfarm's own sockets has settled (`quietTurns` of the Mc worlds). */
export const QUIET_TURNS = 2;

/**
 * Simulated time. Nothing moves until a test calls `advance`, `advanceAsync`, `runUntil` or `runUntilSettled`.
 * Timers due at the same instant fire in scheduling order; an interval is rescheduled before its callback runs,
 * so the order stays the same on every run.
 */
export class VirtualClock implements Clock {
  private current: number;
  private counter = 0;
  private readonly heap = new TimerHeap<Entry>();
  private readonly live = new Set<Entry>();
  private readonly ioTurns: number;
  private readonly quietTurns: number;
  private runningDepth = 0;
  private runningSince = 0;
  private runningMs = 0;
  /** Pending `realWork` (settled or not, never rejected) and its name. */
  private readonly realWorks = new Map<Promise<void>, string>();
  private readonly realWorkLimitMs: number;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? VIRTUAL_EPOCH;
    this.ioTurns = options.ioTurns ?? 50;
    this.quietTurns = options.quietTurns ?? Number.POSITIVE_INFINITY;
    this.realWorkLimitMs = options.realWorkLimitMs ?? 10_000;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number, name = "timeout"): Timer {
    return this.schedule(callback, Math.max(0, delayMs), undefined, name);
  }

  setInterval(callback: () => void, periodMs: number, name = "interval"): Timer {
    const period = Math.max(1, periodMs);
    return this.schedule(callback, period, period, name);
  }

  realWork<T>(name: string, work: Promise<T>): Promise<T> {
    const ended = work.then(
      () => undefined,
      () => undefined,
    );
    this.realWorks.set(ended, name);
    void ended.then(() => this.realWorks.delete(ended));
    return work;
  }

  /** Live timers in firing order. */
  pending(): PendingTimer[] {
    return [...this.live]
      .sort((a, b) => a.dueAt - b.dueAt || a.order - b.order)
      .map(({ name, dueAt, periodMs }) => ({ name, dueAt, periodMs }));
  }

  /** Live timers, all or those with this name: a closed session must leave none behind. */
  timerCount(name?: string): number {
    if (name === undefined) return this.live.size;
    let count = 0;
    for (const e of this.live) if (e.name === name) count++;
    return count;
  }

  /**
   * Wall-clock ms spent moving simulated time (in `advance`, `advanceAsync`, `runUntil`, `runUntilSettled`),
   * including the real I/O handled meanwhile: a suite's simulated time over this is how fast the clock ran.
   */
  runningWallMs(): number {
    return this.runningDepth === 0 ? this.runningMs : this.runningMs + performance.now() - this.runningSince;
  }

  /** Fires every timer due within `ms` synchronously, then sets the time to now + ms. */
  advance(ms: number): void {
    const target = this.current + ms;
    this.startRunning();
    try {
      for (let next = this.peek(); next !== undefined && next.dueAt <= target; next = this.peek()) {
        this.fire(next);
      }
      this.current = target;
    } finally {
      this.stopRunning();
    }
  }

  /** As `advance`, but lets I/O and promise continuations run before each timer and at the end. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    this.startRunning();
    try {
      await this.settleIo();
      for (let next = this.peek(); next !== undefined && next.dueAt <= target; next = this.peek()) {
        this.fire(next);
        await this.settleIo();
      }
      this.current = target;
      await this.settleIo();
    } finally {
      this.stopRunning();
    }
  }

  /**
   * Runs timers in order until `until` holds: an absolute time (ms since epoch) or a condition checked
   * before and after every timer. Throws if the condition cannot become true: no timer left, or `maxMs` passed.
   */
  async runUntil(until: number | (() => boolean), options: RunUntilOptions = {}): Promise<void> {
    if (typeof until === "number") {
      await this.advanceAsync(Math.max(0, until - this.current));
      return;
    }
    this.startRunning();
    try {
      await this.runUntilTrue(until, this.current + (options.maxMs ?? 24 * 3600_000), options);
    } finally {
      this.stopRunning();
    }
  }

  private async runUntilTrue(
    until: () => boolean,
    deadline: number,
    options: RunUntilOptions,
  ): Promise<void> {
    await this.settleIo();
    while (!until()) {
      const next = this.peek();
      if (next === undefined) {
        throw new Error(`runUntil: condition still false at t=${this.current} and no timer is pending`);
      }
      if (next.dueAt > deadline) {
        this.current = deadline;
        throw new Error(
          `runUntil: condition still false after ${options.maxMs ?? 24 * 3600_000} simulated ms`,
        );
      }
      this.fire(next);
      await this.settleIo();
    }
  }

  /** Advances time until `promise` settles, and returns (or throws) its outcome. */
  async runUntilSettled<T>(promise: Promise<T>, options: RunUntilOptions = {}): Promise<T> {
    let settled = false;
    const watched = promise.then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    // Keep an early rejection from being reported as unhandled while time runs.
    watched.catch(() => undefined);
    await this.runUntil(() => settled, options);
    return watched;
  }

  private startRunning(): void {
    if (this.runningDepth++ === 0) this.runningSince = performance.now();
  }

  private stopRunning(): void {
    if (--this.runningDepth === 0) this.runningMs += performance.now() - this.runningSince;
  }

  private schedule(callback: () => void, delay: number, periodMs: number | undefined, name: string): Timer {
    const entry: Entry = {
      name,
      dueAt: this.current + delay,
      order: this.counter++,
      periodMs,
      callback,
      cancelled: false,
    };
    this.heap.push(entry);
    this.live.add(entry);
    return {
      name,
      cancel: () => {
        entry.cancelled = true;
        this.live.delete(entry);
      },
    };
  }

  private peek(): Entry | undefined {
    // Cancelled timers leave the heap lazily, when they reach the top.
    while (this.heap.peek()?.cancelled) this.heap.pop();
    return this.heap.peek();
  }

  private fire(entry: Entry): void {
    this.heap.pop();
    this.current = Math.max(this.current, entry.dueAt);
    if (entry.periodMs === undefined) {
      entry.cancelled = true;
      this.live.delete(entry);
    } else {
      entry.dueAt += entry.periodMs;
      entry.order = this.counter++;
      this.heap.push(entry);
    }
    entry.callback();
  }

  /**
   * Lets replies already on their way arrive and be handled: `ioTurns` turns, or fewer after `quietTurns` quiet ones;
   * pending `realWork` is waited for first, whatever the turns.
   */
  private async settleIo(): Promise<void> {
    const watch = this.quietTurns !== Number.POSITIVE_INFINITY;
    let turns = 0;
    let quiet = 0;
    while (this.realWorks.size > 0 || (turns < this.ioTurns && quiet < this.quietTurns)) {
      if (this.realWorks.size > 0) {
        await this.realWorkEnded();
        quiet = 0;
        continue;
      }
      const seen = watch ? ioEvents() : 0;
      await loopTurn();
      turns++;
      if (watch) quiet = ioEvents() === seen && !ioPending() ? quiet + 1 : 0;
    }
  }

  private async realWorkEnded(): Promise<void> {
    let limit: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.all(this.realWorks.keys()).then(() => "ended" as const),
      new Promise<"limit">((resolve) => {
        limit = setTimeout(() => resolve("limit"), this.realWorkLimitMs);
      }),
    ]);
    clearTimeout(limit);
    if (outcome === "limit") {
      const names = [...new Set(this.realWorks.values())].join(", ");
      this.realWorks.clear();
      throw new Error(
        `real work still pending after ${this.realWorkLimitMs} real ms (${names}): a virtual clock fires no timer ` +
          "while real work runs; end it sooner (a server that answers), or give the clock a larger realWorkLimitMs",
      );
    }
  }
}
