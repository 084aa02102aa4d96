import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { HilfarmError } from "../../harness/errors.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { errorFields, type ResponseFields } from "../../harness/protocol/mc/error-fields.ts";
import { type McCode, packetType, responseCodeFor } from "../../harness/protocol/mc/packet-types.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { BodyOf, ConnectRequest, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import {
  classifySequence,
  formatSequence,
  parseSequence,
  sequenceAfter,
} from "../../harness/protocol/mc/sequence.ts";
import type { Random } from "../../harness/random/random.ts";
import type { DeviceChannel } from "./channel.ts";
import { offlineAfterMs, type PlatformTiming } from "./options.ts";

/** Requests the platform sends to a device, and the responses that answer them (5.2.1). */
export type PlatformRequestCode = 2001 | 2003 | 2005 | 2015 | 2025 | 2031;
export type ResponseTo<C extends PlatformRequestCode> = BodyOf<
  { 2001: 2000; 2003: 2002; 2005: 2004; 2015: 2014; 2025: 2024; 2031: 2030 }[C]
>;
type RequestBody<C extends PlatformRequestCode> = Omit<BodyOf<C>, "sequence" | "time">;

/** Requests a device sends, answered by the platform's business handlers. */
export type DeviceRequest = Extract<
  McMessage,
  { code: 2006 | 2008 | 2010 | 2012 | 2016 | 2018 | 2020 | 2022 | 2026 | 2028 | 2032 | 3000 | 3002 }
>;

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

export interface SessionDependencies {
  deviceId: string;
  token: string;
  key: CipherKey;
  channel: DeviceChannel;
  clock: Clock;
  timing: PlatformTiming;
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

interface PendingRequest {
  code: PlatformRequestCode;
  frame: Buffer;
  timer: Timer;
  /** Consecutive sends of this request that went unanswered (5.2). */
  failures: number;
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
  readonly channel: DeviceChannel;
  readonly connectedAt: number;
  private readonly deps: SessionDependencies;
  /** Last device request sequence accepted (5.2.2 item 5); set by the 1004. */
  private lastDeviceSequence: number | undefined;
  /** The response to that request, sent again for a retransmission. */
  private lastResponse: Buffer | undefined;
  /** Segment number of the last 3002, whose segments share one sequence (5.4.3.17). */
  private lastVoiceSegment: number | undefined;
  private platformSequence: number | undefined;
  private readonly pending = new Map<number, PendingRequest>();
  private offlineTimer: Timer | undefined;
  private lastHeardAt = 0;
  private ended: SessionEndReason | undefined;
  /** The last platform request queued: the next one waits for it. */
  private lane: Promise<void> = Promise.resolve();
  /** The frame of the last platform request sent, for `retransmitLastRequest`. */
  private lastRequestFrame: Buffer | undefined;
  private connectAnswer: Buffer | undefined;

  constructor(deps: SessionDependencies) {
    this.deps = deps;
    this.deviceId = deps.deviceId;
    this.token = deps.token;
    this.channel = deps.channel;
    this.connectedAt = deps.clock.now();
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  /** Answers the 1004 that opened the session. */
  start(connect: ConnectRequest, raw?: Uint8Array): void {
    this.lastDeviceSequence = parseSequence(connect.sequence);
    this.armOfflineTimer();
    this.deps.onFrame?.("in", this, { code: 1004, body: connect }, raw);
    const { timing } = this.deps;
    const body: BodyOf<1005> = {
      result: McResult.Success,
      sequence: connect.sequence,
      heartBeat: timing.heartbeatSeconds,
      ...(timing.authIntervalSeconds === undefined ? {} : { authInterval: timing.authIntervalSeconds }),
      time: unixSeconds(this.deps.clock),
    };
    this.lastResponse = this.send({ code: 1005, body });
    this.connectAnswer = this.lastResponse;
  }

  /** The 1005 that answered the 1004 opening this session, as sent. */
  get answerToConnect(): Buffer | undefined {
    return this.connectAnswer;
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
      if (fresh === "retransmission" && this.lastResponse !== undefined) this.channel.send(this.lastResponse);
      if (fresh !== "fresh") {
        this.deps.onDropped?.(this, "REPLAYED");
        return false;
      }
    }
    this.armOfflineTimer();
    this.deps.onFrame?.("in", this, message, raw);
    const type = packetType(message.code);
    if (type.sender !== "device") {
      this.deps.logger.debug(
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
    const sequence = parseSequence((message.body as { sequence: string }).sequence);
    if (type.role === "response") {
      const entry = this.pending.get(sequence);
      return entry !== undefined && responseCodeFor(entry.code) === message.code ? "fresh" : "stale";
    }
    const verdict = this.classify(message, sequence);
    return verdict === "next" ? "fresh" : verdict === "retransmission" ? "retransmission" : "stale";
  }

  /** 5.2.2 item 5 against the last accepted request; voice segments share one sequence (5.4.3.17). */
  private classify(message: McMessage, sequence: number): ReturnType<typeof classifySequence> {
    const verdict = classifySequence(this.lastDeviceSequence, sequence);
    if (verdict === "retransmission" && message.code === 3002) {
      const segment = message.body.ctrlParam.sn;
      if (segment !== undefined && segment !== this.lastVoiceSegment) return "next";
    }
    return verdict;
  }

  /**
   * Sends a platform request; resends it after each response timeout with the same sequence (5.2). Requests go
   * one at a time, each taking its sequence when sent: the device accepts only last + 1 (5.2.2 item 5), and on a
   * lossy link a second request in flight could overtake the resends of the first.
   */
  request<C extends PlatformRequestCode>(code: C, body: RequestBody<C>): Promise<ResponseTo<C>> {
    const send = () => this.sendRequest(code, body);
    const result = this.lane.then(send, send);
    this.lane = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private sendRequest<C extends PlatformRequestCode>(code: C, body: RequestBody<C>): Promise<ResponseTo<C>> {
    if (this.ended) return Promise.reject(this.endedError());
    this.platformSequence =
      this.platformSequence === undefined
        ? this.deps.random.sequence()
        : sequenceAfter(this.platformSequence);
    const sequence = this.platformSequence;
    const message = {
      code,
      body: { sequence: formatSequence(sequence), ...body, time: unixSeconds(this.deps.clock) },
    } as unknown as McMessage;
    return new Promise<ResponseTo<C>>((resolve, reject) => {
      const frame = this.send(message);
      this.lastRequestFrame = frame;
      this.pending.set(sequence, {
        code,
        frame,
        timer: this.armResend(sequence),
        failures: 0,
        resolve: resolve as (body: unknown) => void,
        reject,
      });
    });
  }

  /** Conformance hook: sends the last request's frame again, as a resend would (same sequence). */
  retransmitLastRequest(): void {
    if (this.lastRequestFrame !== undefined && !this.ended) this.channel.send(this.lastRequestFrame);
  }

  /** Conformance hook: the next request skips `n` sequences, which a device must treat as an error (5.2.2 item 5). */
  skipSequences(n: number): void {
    if (this.platformSequence !== undefined) this.platformSequence = (this.platformSequence + n) % 65536;
  }

  end(reason: SessionEndReason): void {
    if (this.ended) return;
    this.ended = reason;
    this.offlineTimer?.cancel();
    for (const entry of this.pending.values()) {
      entry.timer.cancel();
      entry.reject(this.endedError());
    }
    this.pending.clear();
    this.channel.close();
    this.deps.onEnd(this, reason);
  }

  private accept(message: McMessage): boolean {
    if (message.code === 1002) {
      // Login belongs to the login server: a 1002 on a connection is dropped, as any frame out of place.
      this.deps.logger.info({ deviceId: this.deviceId }, "1002 on a connection server dropped");
      return false;
    }
    const sequence = parseSequence((message.body as { sequence: string }).sequence);
    const verdict = this.classify(message, sequence);
    if (verdict === "retransmission") {
      // 5.2.2 item 5: answer again, do not apply twice.
      if (this.lastResponse !== undefined) this.channel.send(this.lastResponse);
      return false;
    }
    const responseCode = responseCodeFor(message.code);
    const now = unixSeconds(this.deps.clock);
    if (verdict === "out-of-order") {
      const expected = this.lastDeviceSequence === undefined ? 0 : sequenceAfter(this.lastDeviceSequence);
      this.deps.logger.info(
        { deviceId: this.deviceId, code: message.code, sequence, expected },
        "sequence error",
      );
      this.reply(
        message,
        responseCode,
        errorFields(message, McResult.InvalidParameter, now, `expected sequence ${expected}`),
      );
      return false;
    }
    if (this.deps.withholdAnswer?.(this.deviceId, message.code)) {
      this.deps.logger.info({ deviceId: this.deviceId, code: message.code }, "answer withheld on purpose");
      return false;
    }
    this.lastDeviceSequence = sequence;
    if (message.code === 3002) this.lastVoiceSegment = message.body.ctrlParam.sn;
    if (message.code === 1000) {
      this.lastResponse = this.reply(message, 1001, { result: McResult.Success, time: now });
      return true;
    }
    if (message.code === 1004) {
      // A second connect, with a new sequence, on a session that is already open.
      this.lastResponse = this.reply(
        message,
        1005,
        errorFields(message, McResult.InvalidParameter, now, "already connected"),
      );
      return true;
    }
    this.lastResponse = undefined;
    void this.dispatch(message as DeviceRequest, responseCode, sequence);
    return true;
  }

  private async dispatch(request: DeviceRequest, responseCode: McCode, sequence: number): Promise<void> {
    let fields: ResponseFields;
    try {
      fields = await this.deps.handler(request, this);
    } catch (error) {
      this.deps.logger.error(
        { err: error, deviceId: this.deviceId, code: request.code },
        "business handler failed",
      );
      fields = errorFields(request, McResult.PlatformUnknownError, unixSeconds(this.deps.clock));
    }
    if (this.ended) return;
    const frame = this.reply(request, responseCode, fields);
    if (this.lastDeviceSequence === sequence) this.lastResponse = frame;
  }

  /**
   * Sends the answer to a device request. Fields that fail the response's schema are a platform bug: it is
   * logged and the device gets 999999 instead, never an exception on the socket.
   */
  private reply(request: McMessage, responseCode: McCode, fields: ResponseFields): Buffer {
    const sequence = (request.body as { sequence: string }).sequence;
    const { result, ...rest } = fields;
    try {
      return this.send({ code: responseCode, body: { result, sequence, ...rest } } as McMessage);
    } catch (error) {
      this.deps.logger.error(
        { err: error, deviceId: this.deviceId, code: responseCode },
        "platform answer failed its schema",
      );
      const { result: fallback, ...fallbackRest } = errorFields(
        request,
        McResult.PlatformUnknownError,
        unixSeconds(this.deps.clock),
      );
      return this.send({
        code: responseCode,
        body: { result: fallback, sequence, ...fallbackRest },
      } as McMessage);
    }
  }

  private settle(message: McMessage): boolean {
    const sequence = parseSequence((message.body as { sequence: string }).sequence);
    const entry = this.pending.get(sequence);
    if (entry === undefined || responseCodeFor(entry.code) !== message.code) {
      this.deps.logger.debug(
        { deviceId: this.deviceId, code: message.code, sequence },
        "response to no pending request",
      );
      return false;
    }
    entry.timer.cancel();
    this.pending.delete(sequence);
    entry.resolve(message.body);
    return true;
  }

  private armResend(sequence: number): Timer {
    return this.deps.clock.setTimeout(
      () => {
        const entry = this.pending.get(sequence);
        if (entry === undefined || this.ended) return;
        entry.failures++;
        if (entry.failures >= this.deps.timing.maxFailedSends) {
          this.deps.logger.info(
            { deviceId: this.deviceId, code: entry.code, sends: entry.failures },
            "session dropped: failed sends",
          );
          this.pending.delete(sequence);
          entry.reject(
            new DeviceRequestError(
              "DEVICE_TIMEOUT",
              `${this.deviceId} did not answer ${entry.code} in ${entry.failures} sends`,
            ),
          );
          this.end("failed-sends");
          return;
        }
        this.deps.onResend?.(this, entry.code);
        this.channel.send(entry.frame);
        entry.timer = this.armResend(sequence);
      },
      this.deps.timing.responseTimeoutMs,
      "platform-resend",
    );
  }

  private armOfflineTimer(): void {
    // 5.4.2.3: offline after 3 heartbeat intervals + 10 s without any message. A message only moves the deadline;
    // the one timer re-arms itself for what is left when it fires, so 50,000 heartbeating sessions do not make and
    // drop a timer per message.
    this.lastHeardAt = this.deps.clock.now();
    if (this.offlineTimer === undefined) this.scheduleOffline(offlineAfterMs(this.deps.timing));
  }

  private scheduleOffline(delayMs: number): void {
    this.offlineTimer = this.deps.clock.setTimeout(
      () => {
        this.offlineTimer = undefined;
        if (this.ended !== undefined) return;
        const left = this.lastHeardAt + offlineAfterMs(this.deps.timing) - this.deps.clock.now();
        if (left > 0) this.scheduleOffline(left);
        else this.end("offline");
      },
      delayMs,
      "offline",
    );
  }

  private send(message: McMessage): Buffer {
    const frame = encodeFrame(message, { key: this.deps.key });
    this.deps.onFrame?.("out", this, message, frame);
    this.channel.send(frame);
    return frame;
  }

  private endedError(): DeviceRequestError {
    return new DeviceRequestError(
      "SESSION_ENDED",
      `session of ${this.deviceId} ended (${this.ended ?? "ended"})`,
    );
  }
}
