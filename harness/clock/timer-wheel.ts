import type { Clock, Timer } from "./clock.ts";

const released = () => {};

/**
 * A timer done with (cancelled, or fired once) lets go of its callback: its owner may keep it until it powers off,
 * and the callback's closure (a login's socket, a request's frame) would otherwise stay alive with it.
 */
class WheelTimer implements Timer {
  cancelled = false;
  constructor(
    readonly name: string,
    public dueTick: number,
    readonly periodTicks: number,
    public callback: () => void,
    private readonly wheel: TimerWheel,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.callback = released;
    this.wheel.forget(this);
  }
}

export interface TimerWheelOptions {
  /** Resolution: a timer fires on the first tick at or after its due time. Default 20 ms. */
  tickMs?: number;
  /** Slots on the wheel (a power of two); timers further out than one turn wait for their turn. Default 4096. */
  slots?: number;
  /**
   * Runs `next` once the owner's pending I/O has run (`setImmediate` in a farm). Given, the wheel fires one timer at a
   * time and yields between two: a tick that fires hundreds of heartbeats would otherwise send them all before
   * reading any answer, and every answer would wait for the last send. Without it, a tick fires its timers at once.
   */
  yieldBetweenTimers?: (next: () => void) => void;
  /**
   * Told, as each timer fires, how late the wheel fires it beyond its resolution: how far the driver's present is past
   * the end of the timer's tick (0 while the wheel keeps up). A wheel falls behind when its driver runs late or when a
   * tick's timers, yielding to I/O between two, take longer than a tick to fire.
   */
  recordLate?: (lateMs: number) => void;
}

/**
 * A hashed timer wheel (Varghese and Lauck) that is itself a `Clock`: tens of thousands of devices share one
 * driver interval instead of holding one Node timer each. Timers fire within one tick after their due time, in due
 * order, and in scheduling order within a tick. `now()` is the driver's, at full resolution. The driver interval
 * runs only while timers are pending.
 */
export class TimerWheel implements Clock {
  readonly tickMs: number;
  private readonly slots: WheelTimer[][];
  private readonly mask: number;
  private readonly origin: number;
  /** The last tick whose slot has been fired. */
  private tick: number;
  private live = 0;
  private driverTimer: Timer | undefined;
  private readonly yieldBetweenTimers: ((next: () => void) => void) | undefined;
  private readonly recordLate: ((lateMs: number) => void) | undefined;
  /** The timers of the tick being fired, and how many of them have been taken. */
  private due: WheelTimer[] = [];
  private taken = 0;

  constructor(
    private readonly driver: Clock,
    options: TimerWheelOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 20;
    const slots = options.slots ?? 4096;
    if (!(this.tickMs > 0)) throw new RangeError(`tickMs must be positive, got ${this.tickMs}`);
    if (slots < 2 || (slots & (slots - 1)) !== 0)
      throw new RangeError(`slots must be a power of two >= 2, got ${slots}`);
    this.slots = Array.from({ length: slots }, () => []);
    this.mask = slots - 1;
    this.yieldBetweenTimers = options.yieldBetweenTimers;
    this.recordLate = options.recordLate;
    this.origin = driver.now();
    this.tick = 0;
  }

  /** Timers scheduled and neither fired (timeouts) nor cancelled. */
  get pending(): number {
    return this.live;
  }

  now(): number {
    return this.driver.now();
  }

  setTimeout(callback: () => void, delayMs: number, name = "timeout"): Timer {
    return this.schedule(callback, delayMs, 0, name);
  }

  setInterval(callback: () => void, periodMs: number, name = "interval"): Timer {
    const periodTicks = Math.max(1, Math.ceil(periodMs / this.tickMs));
    return this.schedule(callback, periodMs, periodTicks, name);
  }

  realWork<T>(name: string, work: Promise<T>): Promise<T> {
    return this.driver.realWork(name, work);
  }

  /**
   * Called by a cancelled timer: it leaves its slot at once (a resend timer cancelled by its answer would otherwise
   * linger there for 10 s and outlive young-generation collections).
   */
  forget(timer: WheelTimer): void {
    const slot = this.slots[timer.dueTick & this.mask] as WheelTimer[];
    const at = slot.indexOf(timer);
    if (at >= 0) slot.splice(at, 1);
    this.live--;
    if (this.live === 0) this.stopDriver();
  }

  private schedule(callback: () => void, delayMs: number, periodTicks: number, name: string): Timer {
    // Idle, the wheel did not turn: nothing is pending, so it may jump to the present.
    if (this.driverTimer === undefined)
      this.tick = Math.max(this.tick, Math.floor((this.driver.now() - this.origin) / this.tickMs));
    const dueAt = this.driver.now() + Math.max(0, delayMs);
    const dueTick = Math.max(this.tick + 1, Math.ceil((dueAt - this.origin) / this.tickMs));
    const timer = new WheelTimer(name, dueTick, periodTicks, callback, this);
    this.place(timer);
    this.live++;
    if (this.driverTimer === undefined)
      this.driverTimer = this.driver.setInterval(() => this.advance(), this.tickMs, "timer-wheel");
    return timer;
  }

  private place(timer: WheelTimer): void {
    this.slots[timer.dueTick & this.mask]?.push(timer);
  }

  private stopDriver(): void {
    this.driverTimer?.cancel();
    this.driverTimer = undefined;
  }

  /** Fires every slot from the last tick fired up to the driver's present. */
  private advance(): void {
    // A tick still firing (yielding to I/O between timers) goes on, and then comes here again.
    if (this.taken < this.due.length) return;
    const target = Math.floor((this.driver.now() - this.origin) / this.tickMs);
    while (this.tick < target && this.driverTimer !== undefined) {
      this.tick++;
      const index = this.tick & this.mask;
      const slot = this.slots[index] as WheelTimer[];
      if (slot.length === 0) continue;
      // Timers placed in this slot while it fires wait for their own tick: take the slot as it stands.
      this.slots[index] = [];
      this.due = [];
      this.taken = 0;
      for (const timer of slot) {
        if (timer.cancelled) continue;
        if (timer.dueTick > this.tick) this.place(timer);
        else this.due.push(timer);
      }
      if (!this.fireDue()) return;
    }
  }

  /** Fires the tick's due timers in order; false when it yielded to I/O and will go on later. */
  private fireDue(): boolean {
    while (this.taken < this.due.length) {
      const timer = this.due[this.taken++] as WheelTimer;
      if (timer.cancelled) continue;
      this.fire(timer);
      if (this.yieldBetweenTimers !== undefined && this.taken < this.due.length) {
        this.yieldBetweenTimers(() => {
          if (this.fireDue()) this.advance();
        });
        return false;
      }
    }
    this.due = [];
    this.taken = 0;
    if (this.live === 0) this.stopDriver();
    return true;
  }

  private fire(timer: WheelTimer): void {
    const { callback } = timer;
    if (this.recordLate !== undefined)
      this.recordLate(Math.max(0, this.driver.now() - this.origin - (this.tick + 1) * this.tickMs));
    if (timer.periodTicks > 0) {
      timer.dueTick = this.tick + timer.periodTicks;
      this.place(timer);
    } else {
      timer.cancelled = true;
      timer.callback = released;
      this.live--;
    }
    try {
      callback();
    } catch (error) {
      process.emitWarning(
        `hilfarm timer ${timer.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
