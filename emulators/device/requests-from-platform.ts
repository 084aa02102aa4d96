import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { errorFields } from "../../harness/protocol/mc/error-fields.ts";
import { responseCodeFor } from "../../harness/protocol/mc/packet-types.ts";
import {
  answered,
  incomingRequest,
  type Responder,
  receiveRequest,
  responder,
} from "../../harness/protocol/mc/responder.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import type { DeviceContext, DeviceModel, Handled, PlatformRequest } from "./model.ts";

export interface RequestsFromPlatformDependencies {
  deviceId: string;
  clock: Clock;
  logger: Logger;
  model: DeviceModel;
  misbehaviour: Misbehaviour;
  context(): DeviceContext;
  encode(message: McMessage): Buffer;
  /** Sends an answer on the device's link. */
  transmit(frame: Buffer, message: McMessage): void;
  /** Sends a stored answer again as it went the first time. */
  sendAgain(frame: Buffer): void;
  /** 5.2.2 item 5: the platform's sequence is out of order; the device logs in again. */
  onSequenceError(): void;
}

/**
 * The platform's requests to the device (platform -> device, 5.2.2 item 5): each new one is handed to the device's
 * model and answered; a retransmission is answered again from the stored answer without acting on it twice; one
 * out of order makes the device log in again. The rule is the responder's; this adds the model and the fault
 * switches that answer late or not at all.
 */
export class RequestsFromPlatform {
  private state: Responder<Buffer> = responder("platform");
  /** Answers held back by `answerLateMs`. */
  private late: Set<Timer> | undefined;

  constructor(private readonly deps: RequestsFromPlatformDependencies) {}

  /** The sequence of the last platform request accepted. */
  get lastSequence(): number | undefined {
    return this.state.last;
  }

  set lastSequence(sequence: number | undefined) {
    this.state = { ...this.state, last: sequence };
  }

  /** The session ended: answers still held back are never sent. */
  end(): void {
    for (const timer of this.late ?? []) timer.cancel();
    this.late = undefined;
  }

  accept(request: PlatformRequest): void {
    const { state, decision } = receiveRequest(this.state, incomingRequest(request));
    if (decision.kind === "retransmission") {
      // Answered from the stored answer; while a late answer is still on its way there is nothing to repeat.
      if (decision.answer !== undefined) this.respond(decision.answer, undefined);
      return;
    }
    if (decision.kind === "out-of-order") {
      this.deps.onSequenceError();
      return;
    }
    this.state = state;
    const { frame, response, after, delayMs = 0 } = this.handleSafely(request);
    const send = () => {
      this.state = answered(this.state, decision.sequence, frame);
      this.respond(frame, response);
      void Promise.resolve()
        .then(() => after?.(this.deps.context()))
        .catch(() => undefined);
    };
    const lateMs = this.deps.misbehaviour.answerLateMs + delayMs;
    if (lateMs <= 0) {
      send();
      return;
    }
    const timer = this.deps.clock.setTimeout(
      () => {
        this.late?.delete(timer);
        send();
      },
      lateMs,
      "late-answer",
    );
    this.late ??= new Set();
    this.late.add(timer);
  }

  /** The model's answer, or 899999 naming what went wrong: a platform request never takes the device down. */
  private handleSafely(request: PlatformRequest): Handled & { frame: Buffer; response: McMessage } {
    const respondWith = (handled: Handled) => {
      const { result, ...rest } = handled.fields;
      const response = {
        code: responseCodeFor(request.code),
        body: { result, sequence: request.body.sequence, ...rest },
      } as McMessage;
      return { ...handled, frame: this.deps.encode(response), response };
    };
    try {
      return respondWith(this.deps.model.handle(request, this.deps.context()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const { deviceId, clock } = this.deps;
      this.deps.logger.warn({ deviceId, code: request.code, reason }, "request not handled");
      const fields = errorFields(
        request,
        McResult.DeviceUnknownError,
        unixSeconds(clock),
        reason.slice(0, 200),
      );
      return respondWith({ fields });
    }
  }

  /** Sends an answer (a first one with its message, a stored one again without), unless a fault switch drops it. */
  private respond(frame: Buffer, message: McMessage | undefined): void {
    if (this.deps.misbehaviour.dropResponses > 0) {
      this.deps.misbehaviour.dropResponses--;
      return;
    }
    if (message === undefined) this.deps.sendAgain(frame);
    else this.deps.transmit(frame, message);
  }
}
