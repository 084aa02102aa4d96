import { UsageError } from "../../errors.ts";

/** Nonces held at most; past it the oldest is forgotten first. */
export const DEFAULT_NONCE_CAPACITY = 100_000;

/**
 * The nonces of accepted requests (pushes, open-API calls), pure (time comes in as `now`). A request's time is
 * accepted within `windowMs` of the checker's clock, so a replay of its headers passes the time check until
 * `time + windowMs`: each nonce is held until `max(time, now) + windowMs` and forgotten after. At most `capacity`
 * nonces are held; beyond that the oldest goes first (counted in `evicted`): a flood of requests cannot grow the
 * checker without bound, at the price of not seeing the replay of a nonce that old. A checker serving several
 * callers scopes the nonce by caller (`${appId}\n${nonce}`).
 */
export class NonceMemory {
  /** nonce -> until when it is held (ms), in the order remembered. */
  readonly #until = new Map<string, number>();
  #evicted = 0;

  constructor(
    readonly windowMs: number,
    readonly capacity: number = DEFAULT_NONCE_CAPACITY,
  ) {
    if (!Number.isSafeInteger(windowMs) || windowMs < 0)
      throw new UsageError("toleranceMs", `toleranceMs: expected an integer >= 0, got ${windowMs}`);
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new UsageError("nonceCapacity", `nonceCapacity: expected an integer >= 1, got ${capacity}`);
  }

  /** Whether `nonce` was remembered and is still held at `now`. */
  seen(nonce: string, now: number): boolean {
    this.#prune(now);
    const until = this.#until.get(nonce);
    return until !== undefined && until >= now;
  }

  /** Holds `nonce` of a request whose time is `time` (ms). */
  remember(nonce: string, time: number, now: number): void {
    this.#prune(now);
    this.#until.delete(nonce);
    this.#until.set(nonce, Math.max(time, now) + this.windowMs);
    for (const oldest of this.#until.keys()) {
      if (this.#until.size <= this.capacity) break;
      this.#until.delete(oldest);
      this.#evicted++;
    }
  }

  get size(): number {
    return this.#until.size;
  }

  /** Nonces forgotten before their time because the memory was full. */
  get evicted(): number {
    return this.#evicted;
  }

  /** Forgets, from the oldest on, the nonces no longer held (stops at the first still held). */
  #prune(now: number): void {
    for (const [nonce, until] of this.#until) {
      if (until >= now) break;
      this.#until.delete(nonce);
    }
  }
}
