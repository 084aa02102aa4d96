/**
 * One push receiver as the sender sees it: a bounded queue of messages, one push in flight at a time in order, the
 * run of abnormal answers, and whether the sender has stopped pushing to it (seed, "Response Format": an answer not
 * in the format marks the receiver abnormal, "and [the sender] will stop ... under certain conditions"). Pure: time
 * comes in as `now`; the shell (push-sender.ts) sends, arms the timeout and logs.
 *
 * Two policies (docs, "Message push"):
 * - `consecutive` (default, protocol-decisions.md section 11): suspended after `abnormalLimit` abnormal answers in a
 *   row. A message answered abnormally is not sent again; once suspended, waiting and new messages are dropped
 *   (counted), and pushes start again from the next change after `resume`.
 * - `cloud` (the vendor's documented cloud-wide rule): suspended when more than 5 % of the pushes answered within the
 *   last 5 minutes were abnormal. A message not delivered (answered abnormally, or queued while suspended) is kept and
 *   sent again, for 12 hours from when it was queued, then dropped (counted as expired).
 */

export type PushPolicy = "consecutive" | "cloud";

export const DEFAULT_ABNORMAL_LIMIT = 5;
export const DEFAULT_QUEUE_LIMIT = 1000;
/** The cloud policy: the window, the share of abnormal answers in it that suspends, how long messages are kept. */
export const CLOUD_WINDOW_MS = 5 * 60_000;
export const CLOUD_ABNORMAL_SHARE = 0.05;
export const CLOUD_KEEP_MS = 12 * 3600_000;

export interface PushReceiverPolicy {
  policy?: PushPolicy;
  /** `consecutive`: abnormal answers in a row that suspend. Default 5. */
  abnormalLimit?: number;
  /** Messages waiting at most; the oldest is dropped (counted) to make room. Default 1000. */
  queueLimit?: number;
}

export interface QueuedPush {
  readonly data: string;
  readonly queuedAt: number;
}

export interface PushCounts {
  /** Pushes sent (each attempt). */
  sent: number;
  normal: number;
  abnormal: number;
  /** Messages never pushed, by why. */
  dropped: PushDrops;
}

export interface PushDrops {
  /** The oldest waiting, to make room. */
  queueFull: number;
  /** Arrived while suspended (`consecutive`). */
  suspended: number;
  /** Kept 12 hours and never delivered (`cloud`). */
  expired: number;
}

export interface Suspension {
  readonly reason: string;
  readonly at: number;
}

export interface PushReceiverView {
  readonly state: "active" | "suspended";
  readonly policy: PushPolicy;
  readonly queued: number;
  readonly inFlight: boolean;
  readonly consecutiveAbnormal: number;
  readonly counts: Readonly<PushCounts>;
  readonly lastAbnormal?: Suspension;
  readonly suspended?: Suspension;
}

export class PushReceiverState {
  private readonly policy: PushPolicy;
  private readonly abnormalLimit: number;
  private readonly queueLimit: number;
  private readonly queue: QueuedPush[] = [];
  private inFlight: QueuedPush | undefined;
  private consecutive = 0;
  /** `cloud`: the answers within the window, oldest first. */
  private answers: Array<{ at: number; abnormal: boolean }> = [];
  private readonly counts: PushCounts = {
    sent: 0,
    normal: 0,
    abnormal: 0,
    dropped: { queueFull: 0, suspended: 0, expired: 0 },
  };
  private lastAbnormal: Suspension | undefined;
  private suspension: Suspension | undefined;

  constructor(options: PushReceiverPolicy = {}) {
    this.policy = options.policy ?? "consecutive";
    this.abnormalLimit = options.abnormalLimit ?? DEFAULT_ABNORMAL_LIMIT;
    this.queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    if (!Number.isInteger(this.abnormalLimit) || this.abnormalLimit < 1)
      throw new RangeError(`abnormalLimit: expected an integer >= 1, got ${this.abnormalLimit}`);
    if (!Number.isInteger(this.queueLimit) || this.queueLimit < 1)
      throw new RangeError(`queueLimit: expected an integer >= 1, got ${this.queueLimit}`);
  }

  get suspended(): Suspension | undefined {
    return this.suspension;
  }

  /** A message to push. */
  enqueue(data: string, now: number): void {
    if (this.suspension !== undefined && this.policy === "consecutive") {
      this.counts.dropped.suspended++;
      return;
    }
    this.expire(now);
    if (this.queue.length >= this.queueLimit) {
      this.queue.shift();
      this.counts.dropped.queueFull++;
    }
    this.queue.push({ data, queuedAt: now });
  }

  /** The next push to send, now marked in flight; nothing while one is in flight, suspended or the queue is empty. */
  take(now: number): QueuedPush | undefined {
    if (this.inFlight !== undefined || this.suspension !== undefined) return undefined;
    this.expire(now);
    const next = this.queue.shift();
    if (next === undefined) return undefined;
    this.inFlight = next;
    this.counts.sent++;
    return next;
  }

  /**
   * The answer to the push in flight: `abnormal` is why it was abnormal (an HTTP error, a body out of the format, no
   * answer in time), undefined for a normal answer. Returns the suspension when this answer caused one.
   */
  answered(abnormal: string | undefined, now: number): Suspension | undefined {
    const push = this.inFlight;
    if (push === undefined) return undefined;
    this.inFlight = undefined;
    this.record(abnormal !== undefined, now);
    if (abnormal === undefined) {
      this.counts.normal++;
      this.consecutive = 0;
      return undefined;
    }
    this.counts.abnormal++;
    this.consecutive++;
    this.lastAbnormal = { reason: abnormal, at: now };
    // `cloud` keeps what was not delivered: it goes first again (order kept), until it expires.
    if (this.policy === "cloud") this.queue.unshift(push);
    const reason = this.suspendReason(abnormal);
    if (reason === undefined || this.suspension !== undefined) return undefined;
    this.suspension = { reason, at: now };
    if (this.policy === "consecutive") {
      // Stopped: what waits is not pushed either (resumed pushes start from new changes).
      this.counts.dropped.suspended += this.queue.length;
      this.queue.length = 0;
    }
    return this.suspension;
  }

  /** Pushing again, from a clean run and window; what `cloud` kept is sent first. */
  resume(): boolean {
    if (this.suspension === undefined) return false;
    this.suspension = undefined;
    this.consecutive = 0;
    this.answers = [];
    return true;
  }

  view(now: number): PushReceiverView {
    this.expire(now);
    return {
      state: this.suspension === undefined ? "active" : "suspended",
      policy: this.policy,
      queued: this.queue.length,
      inFlight: this.inFlight !== undefined,
      consecutiveAbnormal: this.consecutive,
      counts: { ...this.counts, dropped: { ...this.counts.dropped } },
      ...(this.lastAbnormal === undefined ? {} : { lastAbnormal: this.lastAbnormal }),
      ...(this.suspension === undefined ? {} : { suspended: this.suspension }),
    };
  }

  private record(abnormal: boolean, now: number): void {
    if (this.policy !== "cloud") return;
    this.answers.push({ at: now, abnormal });
    while ((this.answers[0]?.at ?? now) <= now - CLOUD_WINDOW_MS) this.answers.shift();
  }

  private suspendReason(last: string): string | undefined {
    if (this.policy === "consecutive")
      return this.consecutive >= this.abnormalLimit
        ? `${this.consecutive} abnormal answers in a row, the last: ${last}`
        : undefined;
    const failed = this.answers.filter((a) => a.abnormal).length;
    return failed / this.answers.length > CLOUD_ABNORMAL_SHARE
      ? `${failed} of ${this.answers.length} pushes abnormal within ${CLOUD_WINDOW_MS / 60_000} minutes (over ${CLOUD_ABNORMAL_SHARE * 100} %), the last: ${last}`
      : undefined;
  }

  /** `cloud`: messages queued 12 hours ago or more are dropped. */
  private expire(now: number): void {
    if (this.policy !== "cloud") return;
    while (this.queue.length > 0 && (this.queue[0]?.queuedAt ?? now) <= now - CLOUD_KEEP_MS) {
      this.queue.shift();
      this.counts.dropped.expired++;
    }
  }
}
