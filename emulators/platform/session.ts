import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { HilfarmError } from "../../harness/errors.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrameText } from "../../harness/protocol/mc/codec.ts";
import { errorFields, type ResponseFields } from "../../harness/protocol/mc/error-fields.ts";
import { type McCode, packetType, responseCodeFor } from "../../harness/protocol/mc/packet-types.ts";
import type {
  BusinessRequestCodeFrom,
  RequestCodeFrom,
  ResponseCodeTo,
} from "../../harness/protocol/mc/request-codes.ts";
import { RequestLane } from "../../harness/protocol/mc/request-lane.ts";
import { type Requester, requester, stepRequester } from "../../harness/protocol/mc/requester.ts";
import { answered, incomingRequest, receiveRequest, responder } from "../../harness/protocol/mc/responder.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { BodyOf, ConnectRequest, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { formatSequence, parseSequence, SEQUENCE_MODULUS } from "../../harness/protocol/mc/sequence.ts";
import type { Random } from "../../harness/random/random.ts";
import { offlineAfterMs, type PlatformTiming } from "./options.ts";
import type { SessionLink } from "./session-link.ts";

/** Requests the platform sends to a device, and the responses that answer them (5.2.1). */
export type PlatformRequestCode = RequestCodeFrom<"platform">;
export type ResponseTo<C extends PlatformRequestCode> = BodyOf<ResponseCodeTo<C>>;
type RequestBody<C extends PlatformRequestCode> = Omit<BodyOf<C>, "sequence" | "time">;

/** Requests a device sends, answered by the platform's business handlers. */
export type DeviceRequest = Extract<McMessage, { code: BusinessRequestCodeFrom<"device"> }>;

/** A response body without its sequence, which the session fills in. */
export type { ResponseFields };
export type RequestHandler = (
  request: DeviceRequest,
  session: DeviceSession,
) => ResponseFields | Promise<ResponseFields>;

export type SessionEndReason = "offline" | "failed-sends" | "replaced" | "closed" | "stopped";

/** Why a platform request did not get its answer. */
export class DeviceRequestError extends HilfarmError {
  declare readonly code: "DEVICE_TIMEOUT" | "SESSION_ENDED";
}

/**
 * What the sessions of a connection server share, built once for all of them: a session holds only what is its own
 * (`SessionPeer`), so that each device online costs the platform as few objects as it can.
 */
export interface SessionServices {
  clock: Clock;
  timing: PlatformTiming;
  /** The run's random source: a session forks its own stream from it when it first sends a request. */
  random: Random;
  handler: RequestHandler;
  logger: Logger;
  onEnd: (session: DeviceSession, reason: SessionEndReason) => void;
  /** Every frame decoded from or sent to the device, with its line as it went on the wire. */
  onFrame?: (direction: "in" | "out", session: DeviceSession, message: McMessage, raw?: Uint8Array) => void;
  onResend?: (session: DeviceSession, code: McCode) => void;
  /** A frame dropped without an answer, by reason (a replay from another address: `REPLAYED`). */
  onDropped?: (session: DeviceSession, reason: string) => void;
  /** Conformance hook: answers the platform deliberately withholds (a device under test must resend). */
  withholdAnswer?: (deviceId: string, code: McCode) => boolean;
}

/** The device a session serves: who it is, its session key, and the link its answers go out on. */
export interface SessionPeer {
  deviceId: string;
  token: string;
  key: CipherKey;
  channel: SessionLink;
}

/** Who waits for the answer to the platform request in flight. */
interface Call {
  resolve: (body: unknown) => void;
  reject: (error: DeviceRequestError) => void;
}

/**
 * The platform's side of one connected device (after a valid 1004): sequence checks in both directions,
 * heartbeat supervision, resends of its own requests, and dispatch of the device's requests.
 */
export class DeviceSession {
  readonly deviceId: string;
  readonly token: string;
  readonly channel: SessionLink;
  readonly connectedAt: number;
  private readonly key: CipherKey;
  /**
   * The device's requests (5.2.2 item 5): the last accepted, from the 1004 on, and the answer sent to it, kept as
   * text (`encodeFrameText`).
   */
  private responses = responder<string>("device");
  /** The platform's own requests: its sequence, the one in flight, its resends (5.2). */
  private requests: Requester<Call>;
  /** Made at the first platform request: most sessions of a load run never send one. */
  private lane: RequestLane | undefined;
  private random: Random | undefined;
  private resendTimer: Timer | undefined;
  private offlineTimer: Timer | undefined;
  private lastHeardAt = 0;
  private ended: SessionEndReason | undefined;
  /** The frame of the last platform request sent: resent after a failed send, and by `retransmitLastRequest`. */
  private lastRequestFrame: { message: McMessage; text: string } | undefined;
  private connectAnswer: string | undefined;

  constructor(
    private readonly services: SessionServices,
    peer: SessionPeer,
  ) {
    this.deviceId = peer.deviceId;
    this.token = peer.token;
    this.key = peer.key;
    this.channel = peer.channel;
    this.connectedAt = services.clock.now();
    this.requests = requester("platform", services.timing);
  }

  private get lastDeviceSequence(): number | undefined {
    return this.responses.last;
  }
  private set lastDeviceSequence(sequence: number | undefined) {
    this.responses = { ...this.responses, last: sequence };
  }

  /** The platform's sequence counter: random at its first request on the session (5.2.2 item 5). */
  private get platformSequence(): number | undefined {
    return this.requests.sequence;
  }
  private set platformSequence(sequence: number | undefined) {
    this.requests = { ...this.requests, sequence };
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  get pendingRequests(): number {
    return this.requests.inFlight === undefined ? 0 : 1;
  }

  /** Answers the 1004 that opened the session. */
  start(connect: ConnectRequest, raw?: Uint8Array): void {
    this.lastDeviceSequence = parseSequence(connect.sequence);
    this.armOfflineTimer();
    this.services.onFrame?.("in", this, { code: 1004, body: connect }, raw);
    const { timing } = this.services;
    const body: BodyOf<1005> = {
      result: McResult.Success,
      sequence: connect.sequence,
      heartBeat: timing.heartbeatSeconds,
      ...(timing.authIntervalSeconds === undefined ? {} : { authInterval: timing.authIntervalSeconds }),
      time: unixSeconds(this.services.clock),
    };
    this.connectAnswer = this.send({ code: 1005, body });
    this.responses = answered(this.responses, parseSequence(connect.sequence), this.connectAnswer);
  }

  /** The 1005 that answered the 1004 opening this session, as sent. */
  get answerToConnect(): Buffer | undefined {
    return this.connectAnswer === undefined ? undefined : Buffer.from(this.connectAnswer, "utf8");
  }

  /**
   * A decoded frame from the device. Any message at all counts as life (5.4.2 (3)). Returns true when the frame
   * was a new request or answered a pending one (not a retransmission, a sequence error or a stray response).
   *
   * `elsewhere`: the frame carries this session's token but came from another address than the device's (a UDP
   * datagram). It may be the device after NAT rebinding, or a replay of a captured frame: only a new request or an
   * answer to a pending one is taken (and then counts as life); a retransmission is answered again to the device's
   * address; anything else is dropped without an answer.
   */
  receive(message: McMessage, raw?: Uint8Array, from: "peer" | "elsewhere" = "peer"): boolean {
    if (this.ended) return false;
    if (from === "elsewhere") {
      const fresh = this.freshness(message);
      if (fresh === "retransmission" && this.responses.answer !== undefined)
        this.channel.send(Buffer.from(this.responses.answer, "utf8"));
      if (fresh !== "fresh") {
        this.services.onDropped?.(this, "REPLAYED");
        return false;
      }
    }
    this.armOfflineTimer();
    this.services.onFrame?.("in", this, message, raw);
    const type = packetType(message.code);
    if (type.sender !== "device") {
      this.services.logger.debug(
        { deviceId: this.deviceId, code: message.code },
        "platform-bound code from device ignored",
      );
      return false;
    }
    return type.role === "response" ? this.settle(message) : this.accept(message);
  }

  /** Whether a frame from the device would be taken as new, is a retransmission of the last request, or neither. */
  private freshness(message: McMessage): "fresh" | "retransmission" | "stale" {
    const type = packetType(message.code);
    if (type.sender !== "device" || message.code === 1002) return "stale";
    if (type.role === "response") {
      const sequence = parseSequence(message.body.sequence);
      const now = this.services.clock.now();
      const response = { kind: "response", code: message.code, sequence, now } as const;
      // The step is only looked at: nothing is settled here.
      return stepRequester(this.requests, response).action.kind === "answered" ? "fresh" : "stale";
    }
    const { kind } = receiveRequest(this.responses, incomingRequest(message)).decision;
    return kind === "new" ? "fresh" : kind === "retransmission" ? "retransmission" : "stale";
  }

  /**
   * Sends a platform request; resends it after each response timeout with the same sequence (5.2). Requests go
   * one at a time, each taking its sequence when sent: the device accepts only last + 1 (5.2.2 item 5), and on a
   * lossy link a second request in flight could overtake the resends of the first.
   */
  request<C extends PlatformRequestCode>(code: C, body: RequestBody<C>): Promise<ResponseTo<C>> {
    this.lane ??= new RequestLane();
    return this.lane.run(() => this.sendRequest(code, body));
  }

  private sendRequest<C extends PlatformRequestCode>(code: C, body: RequestBody<C>): Promise<ResponseTo<C>> {
    if (this.ended) return Promise.reject(this.endedError());
    const take = this.platformSequence === undefined ? { start: this.ownRandom().sequence() } : "next";
    return new Promise<ResponseTo<C>>((resolve, reject) => {
      const payload: Call = { resolve: resolve as (body: unknown) => void, reject };
      const now = this.services.clock.now();
      const step = stepRequester(this.requests, { kind: "send", code, now, take, payload });
      if (step.action.kind !== "send") throw new Error(`${this.deviceId}: a request is in flight`);
      const { sequence, deadline } = step.action;
      const time = unixSeconds(this.services.clock);
      const message = { code, body: { sequence: formatSequence(sequence), ...body, time } };
      // Committed once the frame is out: a request that fails its schema leaves nothing in flight.
      this.lastRequestFrame = {
        message: message as unknown as McMessage,
        text: this.send(message as unknown as McMessage),
      };
      this.requests = step.state;
      this.armResend(deadline);
    });
  }

  /** Conformance hook: sends the last request's frame again, as a resend would (same sequence). */
  retransmitLastRequest(): void {
    if (!this.ended) this.sendAgain();
  }

  /** Conformance hook: the next request skips `n` sequences, which a device must treat as an error (5.2.2 item 5). */
  skipSequences(n: number): void {
    if (this.platformSequence !== undefined)
      this.platformSequence = (this.platformSequence + n) % SEQUENCE_MODULUS;
  }

  end(reason: SessionEndReason): void {
    if (this.ended) return;
    this.ended = reason;
    this.offlineTimer?.cancel();
    this.resendTimer?.cancel();
    const { state, action } = stepRequester(this.requests, { kind: "end" });
    this.requests = state;
    if (action.kind === "abandoned") action.payload.reject(this.endedError());
    this.channel.close();
    this.services.onEnd(this, reason);
  }

  private accept(message: McMessage): boolean {
    if (message.code === 1002) {
      // Login belongs to the login server: a 1002 on a connection is dropped, as any frame out of place.
      this.services.logger.info({ deviceId: this.deviceId }, "1002 on a connection server dropped");
      return false;
    }
    const request = incomingRequest(message);
    const { sequence } = request;
    const { state, decision } = receiveRequest(this.responses, request);
    if (decision.kind === "retransmission") {
      // 5.2.2 item 5: answer again, do not apply twice.
      if (decision.answer !== undefined) this.channel.send(Buffer.from(decision.answer, "utf8"));
      return false;
    }
    const responseCode = responseCodeFor(message.code);
    const now = unixSeconds(this.services.clock);
    if (decision.kind === "out-of-order") {
      const where = { deviceId: this.deviceId, code: message.code, sequence, expected: decision.expected };
      this.services.logger.info(where, "sequence error");
      this.reply(message, responseCode, errorFields(message, decision.result, now, decision.dscp));
      return false;
    }
    if (this.services.withholdAnswer?.(this.deviceId, message.code)) {
      this.services.logger.info(
        { deviceId: this.deviceId, code: message.code },
        "answer withheld on purpose",
      );
      return false;
    }
    this.responses = state;
    if (message.code === 1000 || message.code === 1004) {
      // A heartbeat is answered at once; a second connect (a new sequence) on an open session is refused.
      const fields =
        message.code === 1000
          ? { result: McResult.Success, time: now }
          : errorFields(message, McResult.InvalidParameter, now, "already connected");
      this.answered(sequence, this.reply(message, responseCode, fields));
      return true;
    }
    void this.dispatch(message as DeviceRequest, responseCode, sequence);
    return true;
  }

  private async dispatch(request: DeviceRequest, responseCode: McCode, sequence: number): Promise<void> {
    let fields: ResponseFields;
    try {
      fields = await this.services.handler(request, this);
    } catch (error) {
      const where = { err: error, deviceId: this.deviceId, code: request.code };
      this.services.logger.error(where, "business handler failed");
      fields = errorFields(request, McResult.PlatformUnknownError, unixSeconds(this.services.clock));
    }
    if (this.ended) return;
    this.answered(sequence, this.reply(request, responseCode, fields));
  }

  /** Keeps the answer for the request's retransmissions (5.2.2 item 5). */
  private answered(sequence: number, answer: string): void {
    this.responses = answered(this.responses, sequence, answer);
  }

  /**
   * Sends the answer to a device request. Fields that fail the response's schema are a platform bug: it is
   * logged and the device gets 999999 instead, never an exception on the socket.
   */
  private reply(request: McMessage, responseCode: McCode, fields: ResponseFields): string {
    const { sequence } = request.body;
    const answer = ({ result, ...rest }: ResponseFields) =>
      this.send({ code: responseCode, body: { result, sequence, ...rest } } as McMessage);
    try {
      return answer(fields);
    } catch (error) {
      const where = { err: error, deviceId: this.deviceId, code: responseCode };
      this.services.logger.error(where, "platform answer failed its schema");
      return answer(errorFields(request, McResult.PlatformUnknownError, unixSeconds(this.services.clock)));
    }
  }

  private settle(message: McMessage): boolean {
    const sequence = parseSequence(message.body.sequence);
    const now = this.services.clock.now();
    const step = stepRequester(this.requests, { kind: "response", code: message.code, sequence, now });
    if (step.action.kind !== "answered") {
      this.services.logger.debug(
        { deviceId: this.deviceId, code: message.code, sequence },
        "response to no pending request",
      );
      return false;
    }
    this.requests = step.state;
    this.resendTimer?.cancel();
    step.action.payload.resolve(message.body);
    return true;
  }

  private armResend(deadline: number): void {
    const delay = deadline - this.services.clock.now();
    this.resendTimer = this.services.clock.setTimeout(() => this.responseTimeout(), delay, "platform-resend");
  }

  /** 5.2: the request in flight went unanswered for 10 s; resend it, or after the third failed send, end. */
  private responseTimeout(): void {
    if (this.ended) return;
    const step = stepRequester(this.requests, { kind: "time", now: this.services.clock.now() });
    this.requests = step.state;
    const { action } = step;
    if (action.kind === "resend") {
      this.services.onResend?.(this, action.code);
      this.sendAgain();
      this.armResend(action.deadline);
    } else if (action.kind === "give-up") {
      const { code, failures } = action;
      this.services.logger.info(
        { deviceId: this.deviceId, code, sends: failures },
        "session dropped: failed sends",
      );
      const reason = `${this.deviceId} did not answer ${code} in ${failures} sends`;
      action.payload.reject(new DeviceRequestError("DEVICE_TIMEOUT", reason));
      this.end("failed-sends");
    }
  }

  private armOfflineTimer(): void {
    // 5.4.2.3: offline after 3 heartbeat intervals + 10 s without any message. A message only moves the deadline;
    // the one timer re-arms itself for what is left when it fires, so 50,000 heartbeating sessions do not make and
    // drop a timer per message.
    this.lastHeardAt = this.services.clock.now();
    if (this.offlineTimer === undefined) this.scheduleOffline(offlineAfterMs(this.services.timing));
  }

  private scheduleOffline(delayMs: number): void {
    this.offlineTimer = this.services.clock.setTimeout(() => this.offlineCheck(), delayMs, "offline");
  }

  private offlineCheck(): void {
    this.offlineTimer = undefined;
    if (this.ended !== undefined) return;
    const left = this.lastHeardAt + offlineAfterMs(this.services.timing) - this.services.clock.now();
    if (left > 0) this.scheduleOffline(left);
    else this.end("offline");
  }

  /** The last request's frame once more, as it went the first time; evidence sees it go too. */
  private sendAgain(): void {
    if (this.lastRequestFrame === undefined) return;
    const { message, text } = this.lastRequestFrame;
    const frame = Buffer.from(text, "utf8");
    this.services.onFrame?.("out", this, message, frame);
    this.channel.send(frame);
  }

  /** Encodes, sends and returns the frame as text, for the session to keep where it must send it again. */
  private send(message: McMessage): string {
    const text = encodeFrameText(message, { key: this.key });
    const frame = Buffer.from(text, "utf8");
    this.services.onFrame?.("out", this, message, frame);
    this.channel.send(frame);
    return text;
  }

  /** The session's own stream, forked from the run's: the same for a device connected at the same instant. */
  private ownRandom(): Random {
    this.random ??= this.services.random.fork(`session/${this.deviceId}/${this.connectedAt}`);
    return this.random;
  }

  private endedError(): DeviceRequestError {
    return new DeviceRequestError(
      "SESSION_ENDED",
      `session of ${this.deviceId} ended (${this.ended ?? "ended"})`,
    );
  }
}
