import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import type { McCode } from "../../harness/protocol/mc/packet-types.ts";
import { RequestLane } from "../../harness/protocol/mc/request-lane.ts";
import {
  answersInFlight,
  type Requester,
  type RequesterAction,
  requester,
  type SequenceTake,
  stepRequester,
} from "../../harness/protocol/mc/requester.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { formatSequence, parseSequence } from "../../harness/protocol/mc/sequence.ts";
import type { RequestTiming } from "../../harness/protocol/mc/timing.ts";

/** A platform response body, as the device's requests resolve with it. */
export type Answer = Record<string, unknown> & { result: number };

/** Who waits for the answer to the request in flight. */
interface Waiter {
  /** Whether a response with the right code and sequence answers this send (voice segments share a sequence). */
  answers: ((body: Answer) => boolean) | undefined;
  resolve: (body: Answer) => void;
  reject: (error: Error) => void;
}

export interface RequestsToPlatformDependencies {
  deviceId: string;
  clock: Clock;
  timing: RequestTiming;
  encode(message: McMessage): Buffer;
  /** Sends a new request's frame on the device's link. */
  transmit(frame: Buffer, message: McMessage): void;
  /** Sends a frame again as it went the first time. */
  sendAgain(frame: Buffer): void;
  onResend(resend: Extract<RequesterAction<unknown>, { kind: "resend" }>): void;
  /** 5.2: the third failed send of one request: the device logs in again. */
  onGiveUp(giveUp: Extract<RequesterAction<unknown>, { kind: "give-up" }>): void;
}

/**
 * The device's own requests (device -> platform, 5.2): one in flight, its sequence taken when it is sent, resent
 * after 10 s with the same sequence, given up after the third failed send. The rule is the requester's; this owns
 * the lane in front of it, the one resend timer and the frame to resend.
 */
export class RequestsToPlatform {
  private state: Requester<Waiter>;
  private readonly lane = new RequestLane();
  private timer: Timer | undefined;
  /** The request in flight as it was first sent: resent as is. */
  private frame: Buffer | undefined;

  constructor(private readonly deps: RequestsToPlatformDependencies) {
    this.state = requester("device", deps.timing);
  }

  /** The device's sequence counter (5.2.2 item 5). */
  get sequence(): number | undefined {
    return this.state.sequence;
  }

  set sequence(sequence: number | undefined) {
    this.state = { ...this.state, sequence };
  }

  /** Runs `task` once every request queued before it is answered or abandoned. */
  oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    return this.lane.run(task);
  }

  /**
   * Sends a request now, its body the spec's fields between `sequence` and `time`. `offBy` (a fault switch) sends
   * it under a wrong sequence; `answers` tells apart the answer to the last voice segment from earlier ones.
   */
  send(
    code: McCode,
    fields: Record<string, unknown>,
    take: SequenceTake,
    options: { offBy?: number; answers?: (body: Answer) => boolean } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload: Waiter = { answers: options.answers, resolve, reject };
      const now = this.deps.clock.now();
      const event = { kind: "send", code, now, take, payload, offBy: options.offBy ?? 0 } as const;
      const step = stepRequester(this.state, event);
      if (step.action.kind !== "send") throw new Error(`${this.deps.deviceId}: a request is in flight`);
      const { sequence, deadline } = step.action;
      const time = unixSeconds(this.deps.clock);
      const message = { code, body: { sequence: formatSequence(sequence), ...fields, time } } as McMessage;
      const frame = this.deps.encode(message);
      this.state = step.state;
      this.frame = frame;
      this.arm(deadline);
      this.deps.transmit(frame, message);
    });
  }

  /** A platform response: true when it answered the request in flight, which is then settled with its body. */
  settle(code: McCode, body: Answer & { sequence: string }): boolean {
    const sequence = parseSequence(body.sequence);
    if (!answersInFlight(this.state, code, sequence)) return false;
    if (this.state.inFlight?.payload.answers?.(body) === false) return false;
    const step = stepRequester(this.state, { kind: "response", code, sequence, now: this.deps.clock.now() });
    this.state = step.state;
    this.stopTimer();
    if (step.action.kind === "answered") step.action.payload.resolve(body);
    return true;
  }

  /** The session ended: the request in flight fails with `error`, and no resend is left behind. */
  end(error: Error): void {
    this.stopTimer();
    const { state, action } = stepRequester(this.state, { kind: "end" });
    this.state = state;
    if (action.kind === "abandoned") action.payload.reject(error);
  }

  private arm(deadline: number): void {
    const delay = deadline - this.deps.clock.now();
    this.timer = this.deps.clock.setTimeout(() => this.responseTimeout(), delay, "device-resend");
  }

  private responseTimeout(): void {
    this.timer = undefined;
    const { state, action } = stepRequester(this.state, { kind: "time", now: this.deps.clock.now() });
    this.state = state;
    if (action.kind === "resend") {
      this.deps.onResend(action);
      this.arm(action.deadline);
      if (this.frame !== undefined) this.deps.sendAgain(this.frame);
    } else if (action.kind === "give-up") {
      this.frame = undefined;
      action.payload.reject(new Error(`${this.deps.deviceId}: session ended`));
      this.deps.onGiveUp(action);
    }
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.frame = undefined;
  }
}
