/**
 * How late a worker may run before it holds its ramp: its delay probe (harness/clock/delay-probe.ts), or its timer
 * wheel firing the ramp's tick (the wheel falls behind by more than the probe while logins pour in: `timer-late`). A
 * worker that runs behind reads the answers of its devices late: a login it has already had answered still counts as in
 * flight, and every further device it powers on adds to that queue. With no hold, 100,000 devices ramped at 2,000/s on
 * two busy cores put 21,000-37,000 devices between power-on and online at once and a login p99 of 3.4-7.1 s, most of it
 * the farm's own queue; held above 100 ms, 800-960 at once and a login p99 of 0.54-0.79 s, at the same rate and CPU per
 * device (docs/benchmarks.md, "A ramp held while its worker runs behind"). On a faster host the holds cost rate until
 * the ramp made them up (`RAMP_CATCH_UP`). Well above a collection's pause or one tick's burst of heartbeats, well
 * under a login's 1 s aim. On another machine of two cores, held on the wheel's ramp ticks too, 100,000 devices ramped
 * at 2,000/s had a login p99 of 125-218 ms against 158-1,150 ms held on the probe alone, lower in each of eight pairs
 * of runs alternated (docs/benchmarks.md, "A ramp held while its timers run late").
 */
export const RAMP_HOLD_LATE_MS = 100;

/**
 * When a worker holds its ramp: while its delay probe, or its wheel's ramp tick, runs more than this many ms late
 * (`hilfarm load --ramp-hold`), or never (`"off"`: every device powered on at the ramp's rate, whatever the farm's own
 * delay).
 */
export type RampHold = number | "off";

/** The longest `--ramp-hold` takes, in ms: a minute behind is a farm that has stopped, not one that runs late. */
export const RAMP_HOLD_MAX_MS = 60_000;

/**
 * How much faster than its rate a ramp runs after a hold, until it has made up the devices the hold kept back: a
 * quarter. A worker held for a collection's pause or a burst of answers then ends its ramp nearly on time, where it
 * ended late by every hold (100,000 devices at 2,000 a second on one machine: every device online at 1,802-1,895 a
 * second without the catch-up, 1,928-1,987 with it, login p99 121-410 ms; with no hold at all 1,950 and 1,987, login
 * p99 0.88 and 0.92 s; docs/benchmarks.md, "A ramp that makes up its holds"). A worker that runs behind while it makes
 * up holds again: the catch-up is held by the same limit as the ramp.
 */
export const RAMP_CATCH_UP = 0.25;

/**
 * The devices a shard powers on at each tick of its timer wheel: `perSecond`, spread over the ticks, except while the
 * worker runs behind (its delay probe last ran, or its wheel fires this tick, more than `hold` ms late; with `"off"`,
 * never). A held tick powers nothing on; once the worker runs on time again, the ramp makes up what it held back at up
 * to `RAMP_CATCH_UP` over its rate, not in a burst. Devices already powered on are not touched. On a virtual clock
 * that its wheel keeps up with, neither runs late, so nothing is held.
 */
export class RampPacing {
  private credit = 0;
  /** Devices the holds kept back and the ramp has not yet made up. */
  private owed = 0;
  private heldMs = 0;
  private lastTickAt: number | undefined;
  private readonly holdLateMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly tickMs: number,
    hold: RampHold = RAMP_HOLD_LATE_MS,
  ) {
    this.holdLateMs = hold === "off" ? Number.POSITIVE_INFINITY : hold;
  }

  /**
   * At the tick that runs at `now` (ms), with the worker `lateMs` behind (the larger of how late its delay probe last
   * ran and how late its wheel fires this tick): how many to power on.
   */
  due(now: number, lateMs: number): number {
    const since = this.lastTickAt === undefined ? this.tickMs : Math.max(0, now - this.lastTickAt);
    this.lastTickAt = now;
    const perTick = (this.perSecond * this.tickMs) / 1000;
    if (lateMs > this.holdLateMs) {
      this.heldMs += since;
      this.owed += perTick;
      return 0;
    }
    const catchUp = Math.min(this.owed, perTick * RAMP_CATCH_UP);
    this.owed -= catchUp;
    this.credit += perTick + catchUp;
    const whole = Math.floor(this.credit);
    this.credit -= whole;
    return whole;
  }

  /** The time, in ms of the worker's clock, that the ramp was held. */
  get held(): number {
    return this.heldMs;
  }
}
