import type { Clock, Timer } from "../../harness/clock/index.ts";
import type { Logger } from "../../harness/log/index.ts";
import { cResultCodes, cResultName } from "../../harness/protocol/c/result-codes.ts";
import type { Notification, NotifyId } from "./notifications.ts";

/**
 * Sends the third party's reports (C12-C18) to the smart-home platform: in order per device (one device's reports
 * wait for each other; different devices' do not), each tried at most `attempts` times `retryDelayMs` apart (on the
 * clock) when the platform cannot be reached or answers 9999, and given up when it answers another failure code
 * (1002, 1003: the platform's word on the report). Failures are logged, never thrown.
 */
export interface OutboxOptions {
  clock: Clock;
  logger: Logger;
  /** Sends one report and gives the answer's code; throws when there is no answer. */
  send: (n: Notification) => Promise<{ code: number }>;
  /** Tries per report. Default 3. */
  attempts?: number;
  /** Default 1000. */
  retryDelayMs?: number;
}

export type Outcome = "sent" | "refused" | "failed" | "dropped";

/** What became of one report; the last `HISTORY` are kept. */
export interface Delivery {
  readonly id: NotifyId;
  readonly deviceSN: string;
  readonly outcome: Outcome;
  /** The answer's code, when there was one. */
  readonly code?: number;
  readonly attempts: number;
}

const HISTORY = 1000;

export class Outbox {
  readonly #options: Required<OutboxOptions>;
  readonly #chains = new Map<string, Promise<void>>();
  readonly #timers = new Set<{ timer: Timer; wake: () => void }>();
  readonly #history: Delivery[] = [];
  #pending = 0;
  #idle: Array<() => void> = [];
  #closed = false;

  constructor(options: OutboxOptions) {
    this.#options = { attempts: 3, retryDelayMs: 1000, ...options };
  }

  /** Queues `n` behind the device's earlier reports. */
  post(n: Notification): void {
    if (this.#closed) return;
    this.#pending++;
    const before = this.#chains.get(n.deviceSN) ?? Promise.resolve();
    const chain = before.then(() => this.#deliver(n)).finally(() => this.#settle(n.deviceSN, chain));
    this.#chains.set(n.deviceSN, chain);
  }

  /** Records a report left unsent on purpose (`dropNotifications`). */
  drop(n: Notification): void {
    this.#options.logger.debug(
      { interface: n.id, deviceSN: n.deviceSN },
      "third party: report dropped (misbehaviour)",
    );
    this.#record({ id: n.id, deviceSN: n.deviceSN, outcome: "dropped", attempts: 0 });
  }

  /** Every report so far, oldest first (the last 1000). */
  get history(): readonly Delivery[] {
    return this.#history;
  }

  /** Resolves once every queued report is sent or given up. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops: reports waiting for a retry are given up, nothing new is sent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) {
      t.timer.cancel();
      t.wake();
    }
    this.#timers.clear();
  }

  #settle(deviceSN: string, chain: Promise<void>): void {
    if (this.#chains.get(deviceSN) === chain) this.#chains.delete(deviceSN);
    this.#pending--;
    if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #record(d: Delivery): void {
    this.#history.push(d);
    if (this.#history.length > HISTORY) this.#history.shift();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: this.#options.clock.setTimeout(
          () => {
            this.#timers.delete(entry);
            resolve();
          },
          ms,
          "third-party-report-retry",
        ),
        wake: resolve,
      };
      this.#timers.add(entry);
    });
  }

  async #deliver(n: Notification): Promise<void> {
    const { attempts, retryDelayMs, logger, send } = this.#options;
    const where = { interface: n.id, deviceSN: n.deviceSN };
    for (let attempt = 1; attempt <= attempts && !this.#closed; attempt++) {
      let code: number | undefined;
      let reason = "";
      try {
        code = (await send(n)).code;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (code === cResultCodes.success) {
        this.#record({ ...where, id: n.id, outcome: "sent", code, attempts: attempt });
        return;
      }
      if (code !== undefined && code !== cResultCodes.failure) {
        logger.warn(
          { ...where, code, result: cResultName(code) },
          "third party: report refused by the smart-home platform",
        );
        this.#record({ ...where, id: n.id, outcome: "refused", code, attempts: attempt });
        return;
      }
      const last = attempt === attempts;
      logger.warn(
        { ...where, attempt, ...(code === undefined ? { reason } : { code }) },
        last ? "third party: report failed, given up" : "third party: report failed, will retry",
      );
      if (last) {
        this.#record({
          ...where,
          id: n.id,
          outcome: "failed",
          ...(code === undefined ? {} : { code }),
          attempts: attempt,
        });
        return;
      }
      await this.#wait(retryDelayMs);
    }
    this.#record({ ...where, id: n.id, outcome: "failed", attempts: 0 });
  }
}
