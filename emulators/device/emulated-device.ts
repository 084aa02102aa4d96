import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import type { Connector, DeviceLink } from "../../harness/link/socket-link.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import type { Framing } from "../../harness/protocol/cts/envelope.ts";
import { decodeFrameLine, encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { errorFields } from "../../harness/protocol/mc/error-fields.ts";
import {
  keyKindFor,
  type McCode,
  packetType,
  responseCodeFor,
} from "../../harness/protocol/mc/packet-types.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import {
  classifySequence,
  formatSequence,
  parseSequence,
  sequenceAfter,
} from "../../harness/protocol/mc/sequence.ts";
import type { Random } from "../../harness/random/random.ts";
import { type Misbehaviour, wellBehaved } from "./misbehaviour.ts";
import type {
  DeviceContext,
  DeviceModel,
  DeviceRequestBody,
  DeviceRequestCode,
  Handled,
  PlatformRequest,
} from "./model.ts";
import { type DeviceTiming, defaultDeviceTiming, type TransportChoice } from "./options.ts";
import { corruptCiphertext, garbleFrame } from "./tamper.ts";

export type DeviceState = "off" | "logging-in" | "backoff" | "connecting" | "online";
export type LoginFailure = "refused" | "unreachable" | "timeout" | "fake-platform" | "network-down";

export interface EmulatedDeviceOptions {
  deviceId: string;
  pin: string;
  model: DeviceModel;
  /** `host:port` of the platform's login server. */
  loginAddress: string;
  clock: Clock;
  random: Random;
  logger: Logger;
  connector: Connector;
  timing?: Partial<DeviceTiming>;
  transport?: TransportChoice;
  framing?: Framing;
  misbehaviour?: Partial<Misbehaviour>;
  /** Told of every event, with the device: one shared observer serves a whole farm without a closure per device. */
  observer?: DeviceObserver;
}

export interface DeviceObserver {
  deviceEvent<K extends keyof DeviceEvents>(device: EmulatedDevice, event: K, arg: DeviceEvents[K][0]): void;
}

export interface DeviceEvents {
  state: [DeviceState];
  "login-failed": [{ reason: LoginFailure; consecutive: number; retryInMs: number }];
  online: [{ transport: "tcp" | "udp"; heartbeatSeconds: number }];
  relogin: [{ reason: string }];
  /** A request sent again with its sequence after the response timeout (5.2). */
  resend: [{ code: McCode; sequence: number; failures: number }];
  frame: [{ direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array }];
}

export interface DeviceCounters {
  loginAttempts: number;
  loginFailures: number;
  /** Successful logins since power-on: decides UDP or TCP (5.4.2.2). */
  authentications: number;
  connects: number;
  resends: number;
  relogins: number;
}

interface Pending {
  code: McCode;
  frame: Buffer;
  timer: Timer;
  /** Consecutive sends of this request that went unanswered (5.2). */
  failures: number;
  /** Whether a response with the right code and sequence answers this send (voice segments share a sequence). */
  answers?: (body: Record<string, unknown> & { result: number }) => boolean;
  resolve: (body: Record<string, unknown> & { result: number }) => void;
  reject: (error: Error) => void;
}

/**
 * The device-side session machine every emulated device shares (5.3.1, 5.4.2): login with back-off and the
 * platform-authenticity check, UDP then TCP, connect, heartbeat, resends and re-login, per-direction sequences,
 * reports after connect, and dispatch of platform requests to the device's model.
 */
export class EmulatedDevice extends EventEmitter<DeviceEvents> {
  readonly deviceId: string;
  readonly misbehaviour: Misbehaviour;
  readonly counters: DeviceCounters = {
    loginAttempts: 0,
    loginFailures: 0,
    authentications: 0,
    connects: 0,
    resends: 0,
    relogins: 0,
  };
  private readonly options: EmulatedDeviceOptions;
  private readonly timing: DeviceTiming;
  private readonly pinKey: CipherKey;
  private current: DeviceState = "off";
  /** Bumped at every power-off and re-login: callbacks of an older epoch do nothing. */
  private epoch = 0;
  private link: DeviceLink | undefined;
  /** The login server's link while a login is under way: a power-off closes it. */
  private loginLink: DeviceLink | undefined;
  private token: string | undefined;
  private sessionKey: CipherKey | undefined;
  private hosts: { tcp: string; udp: string } | undefined;
  private authIntervalSeconds: number | undefined;
  private heartbeatSeconds: number;
  private sequence = 0;
  private lastPlatformSequence: number | undefined;
  private lastPlatformResponse: Buffer | undefined;
  private readonly pending = new Map<number, Pending>();
  private consecutiveLoginFailures = 0;
  private timers: Timer[] = [];
  private networkUpAt = 0;
  /** The last request queued: the next one waits for it. */
  private lane: Promise<void> = Promise.resolve();

  constructor(options: EmulatedDeviceOptions) {
    super();
    this.options = options;
    this.deviceId = options.deviceId;
    this.timing = { ...defaultDeviceTiming, ...options.timing };
    this.pinKey = CipherKey.fromPin(options.pin);
    this.misbehaviour = { ...wellBehaved(), ...options.misbehaviour };
    this.heartbeatSeconds = this.timing.defaultHeartbeatSeconds;
  }

  get state(): DeviceState {
    return this.current;
  }

  get model(): DeviceModel {
    return this.options.model;
  }

  /** The interval the platform set in 1005 (or the default). */
  get heartbeat(): number {
    return this.heartbeatSeconds;
  }

  get transport(): "tcp" | "udp" | undefined {
    return this.current === "online" ? this.link?.transport : undefined;
  }

  powerOn(): void {
    if (this.current !== "off") return;
    this.counters.authentications = 0;
    this.consecutiveLoginFailures = 0;
    void this.login();
  }

  powerOff(): void {
    this.teardown();
    this.setState("off");
  }

  /** Power cycle: the count of authentications starts again, so the device goes back to UDP first. */
  reboot(): void {
    this.powerOff();
    this.powerOn();
  }

  /**
   * The network goes away for `ms`: nothing is sent or received and no connection can be opened. The device finds
   * out as a real one does, by its requests going unanswered, and logs in again once the network is back.
   */
  loseNetwork(ms: number): void {
    this.networkUpAt = Math.max(this.networkUpAt, this.options.clock.now() + ms);
  }

  get networkDown(): boolean {
    return this.options.clock.now() < this.networkUpAt;
  }

  /** The device's own request: next sequence, resent after 10 s with the same sequence, re-login after 3 failures. */
  request<C extends DeviceRequestCode | 1000>(
    code: C,
    body: C extends DeviceRequestCode ? DeviceRequestBody<C> : { token: string },
  ): Promise<Record<string, unknown> & { result: number }> {
    return this.oneAtATime(() => {
      if (this.current !== "online") return Promise.reject(new Error(`${this.deviceId} is not online`));
      this.sequence = sequenceAfter(this.sequence);
      let sequence = this.sequence;
      if (this.misbehaviour.wrongSequence > 0) {
        this.misbehaviour.wrongSequence--;
        sequence = (sequence + 7) % 65536;
      }
      return this.sendRequest(
        code,
        { sequence: formatSequence(sequence), ...body, time: unixSeconds(this.options.clock) },
        sequence,
      );
    });
  }

  /**
   * One request in flight at a time, its sequence taken when it is sent. The platform accepts only last + 1
   * (5.2.2 item 5): with two in flight on a lossy link, the second can arrive while the first is still being
   * resent, and the platform would see a gap.
   */
  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const result = this.lane.then(task, task);
    this.lane = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Voice control (5.4.3.17): the utterance's bytes go up in segments of `segmentBytes`, all with one sequence and
   * one `voiceId`, `sn` from 1 and `isLast` "1" on the last; resolves with the answer to the last segment.
   */
  async speak(
    audio: Buffer | string,
    options: { segmentBytes?: number; format?: "pcm" | "speex" | "amr"; rate?: 8000 | 16000 } = {},
  ) {
    return this.oneAtATime(() => this.speakNow(audio, options));
  }

  private async speakNow(
    audio: Buffer | string,
    options: { segmentBytes?: number; format?: "pcm" | "speex" | "amr"; rate?: 8000 | 16000 },
  ) {
    if (this.current !== "online") throw new Error(`${this.deviceId} is not online`);
    const bytes = typeof audio === "string" ? Buffer.from(audio, "utf8") : audio;
    const size = Math.max(1, options.segmentBytes ?? 1024);
    const segments = Math.max(1, Math.ceil(bytes.length / size));
    this.sequence = sequenceAfter(this.sequence);
    const sequence = this.sequence;
    const voiceId = `${this.deviceId}${unixSeconds(this.options.clock)}`;
    let answer: Record<string, unknown> & { result: number } = { result: 0 };
    for (let sn = 1; sn <= segments; sn++) {
      const ctrlParam = {
        format: options.format ?? "amr",
        rate: options.rate ?? 16000,
        channel: 1,
        voiceId,
        sn,
        isLast: sn === segments ? "1" : "0",
        audioData: bytes.subarray((sn - 1) * size, sn * size).toString("base64"),
      };
      const last = sn === segments;
      answer = await this.sendRequest(
        3002,
        {
          sequence: formatSequence(sequence),
          deviceId: this.deviceId,
          ctrlParam,
          time: unixSeconds(this.options.clock),
        },
        sequence,
        // A late 400002 for an earlier segment (same sequence, no sn in 3003) must not settle the last one.
        last ? (body) => body.result !== McResult.AwaitingVoiceData : undefined,
      );
      if (!last && answer.result !== McResult.AwaitingVoiceData) return answer;
    }
    return answer;
  }

  /** Speech synthesis (5.4.3.18): text in, the platform's audio (Base64) out. */
  synthesize(
    content: string,
    ttsParam: { anchor?: string; format?: "pcm" | "speex" | "amr"; rate?: 8000 | 16000 } = {},
  ) {
    return this.request(3000, { deviceId: this.deviceId, ttsParam: { content, ...ttsParam } });
  }

  private sendRequest(
    code: McCode,
    body: Record<string, unknown>,
    sequence: number,
    answers?: Pending["answers"],
  ): Promise<Record<string, unknown> & { result: number }> {
    const frame = this.encode({ code, body } as McMessage);
    return new Promise((resolve, reject) => {
      this.pending.set(sequence, {
        code,
        frame,
        timer: this.armResend(sequence),
        failures: 0,
        resolve,
        reject,
        ...(answers ? { answers } : {}),
      });
      this.transmit(frame, { code, body } as McMessage);
    });
  }

  private context(): DeviceContext {
    return {
      clock: this.options.clock,
      logger: this.options.logger,
      misbehaviour: this.misbehaviour,
      request: (code, body) => this.request(code, body as never),
    };
  }

  // --- login (5.3.1 steps 1-4, 5.4.2.1) ---

  private async login(): Promise<void> {
    const epoch = ++this.epoch;
    this.setState("logging-in");
    this.counters.loginAttempts++;
    if (this.networkDown) return this.loginFailed(epoch, "network-down");
    let link: DeviceLink;
    try {
      link = await this.open("tcp", this.options.loginAddress);
    } catch {
      return this.loginFailed(epoch, "unreachable");
    }
    if (epoch !== this.epoch) return link.close();
    this.loginLink = link;
    const sequence = this.options.random.sequence();
    let loginAnswerRaw: Uint8Array | undefined;
    const outcome = await new Promise<LoginFailure | McMessage>((resolve) => {
      const timer = this.options.clock.setTimeout(
        () => resolve("timeout"),
        this.timing.responseTimeoutMs,
        "login-timeout",
      );
      this.timers.push(timer);
      link.onLine((line) => {
        const decoded = decodeFrameLine(line, () => this.pinKey, this.options.framing);
        if (decoded.ok && decoded.value.message.code === 1003) {
          timer.cancel();
          loginAnswerRaw = line;
          resolve(decoded.value.message);
        }
      });
      link.onClose(() => {
        timer.cancel();
        resolve("refused");
      });
      const body = {
        sequence: formatSequence(sequence),
        deviceId: this.deviceId,
        version: this.options.model.version,
        time: unixSeconds(this.options.clock),
      };
      this.transmit(this.encode({ code: 1002, body }), { code: 1002, body }, link);
    });
    link.close();
    if (this.loginLink === link) this.loginLink = undefined;
    if (epoch !== this.epoch) return;
    if (typeof outcome === "string") return this.loginFailed(epoch, outcome);
    if (outcome.code !== 1003) return this.loginFailed(epoch, "refused");
    this.tell("frame", {
      direction: "in",
      message: outcome,
      at: this.options.clock.now(),
      ...(loginAnswerRaw === undefined ? {} : { raw: loginAnswerRaw }),
    });
    const response = outcome.body;
    // 5.3.1 step 4: a platform that cannot echo our random sequence under the PIN is a fake.
    if (response.sequence !== formatSequence(sequence)) return this.loginFailed(epoch, "fake-platform");
    if (response.result !== McResult.Success) return this.loginFailed(epoch, "refused");
    this.consecutiveLoginFailures = 0;
    this.counters.authentications++;
    this.token = response.token;
    this.sessionKey = CipherKey.fromSessionKey(response.sessionKey);
    this.hosts = { tcp: response.tcpHost, udp: response.udpHost };
    await this.connect(epoch);
  }

  private loginFailed(epoch: number, reason: LoginFailure): void {
    if (epoch !== this.epoch) return;
    this.counters.loginFailures++;
    this.consecutiveLoginFailures++;
    // 5.4.2.1: retry after 60 s, three times; then every authInterval (600 s when the platform gave none).
    const retryInMs =
      this.consecutiveLoginFailures <= this.timing.loginRetries
        ? this.timing.loginRetryMs
        : (this.authIntervalSeconds ?? this.timing.defaultAuthIntervalSeconds) * 1000;
    this.setState("backoff");
    this.tell("login-failed", { reason, consecutive: this.consecutiveLoginFailures, retryInMs });
    this.options.logger.info({ deviceId: this.deviceId, reason, retryInMs }, "login failed");
    this.timers.push(this.options.clock.setTimeout(() => void this.login(), retryInMs, "login-retry"));
  }

  // --- connect (5.4.2.2) ---

  private chooseTransport(): "tcp" | "udp" {
    const forced = this.options.transport ?? "auto";
    if (forced !== "auto") return forced;
    return this.counters.authentications >= this.timing.tcpAfterAuthentications ? "tcp" : "udp";
  }

  private async connect(epoch: number): Promise<void> {
    this.setState("connecting");
    const transport = this.chooseTransport();
    const address = transport === "tcp" ? this.hosts?.tcp : this.hosts?.udp;
    let link: DeviceLink;
    try {
      if (this.networkDown || address === undefined) throw new Error("network down");
      link = await this.open(transport, address);
    } catch {
      return this.relogin("connection server unreachable", epoch);
    }
    if (epoch !== this.epoch) return link.close();
    this.link = link;
    link.onLine((line) => this.receive(line, epoch));
    link.onBadFrame((error) => {
      // A frame past the length limit leaves the stream unusable: drop the connection and log in again.
      if (error.code === "FRAME_TOO_LONG" && epoch === this.epoch && this.link === link)
        this.relogin("frame too long from the platform", epoch);
    });
    link.onClose(() => {
      if (epoch === this.epoch && this.link === link) this.relogin("connection closed", epoch);
    });
    // A new random sequence at every connect (docs/protocol-readings.md, "The emulated devices" > Sequences).
    this.sequence = this.options.random.sequence();
    this.lastPlatformSequence = undefined;
    this.counters.connects++;
    const connected = this.sendRequest(
      1004,
      {
        sequence: formatSequence(this.sequence),
        token: this.token,
        devVersion: this.options.model.version,
        model: this.options.model.model,
        time: unixSeconds(this.options.clock),
      },
      this.sequence,
    );
    let response: Record<string, unknown> & { result: number };
    try {
      response = await connected;
    } catch {
      return;
    }
    if (epoch !== this.epoch) return;
    if (response.result !== McResult.Success)
      return this.relogin(`connect refused (${response.result})`, epoch);
    this.heartbeatSeconds =
      typeof response.heartBeat === "number" ? response.heartBeat : this.timing.defaultHeartbeatSeconds;
    if (typeof response.authInterval === "number") this.authIntervalSeconds = response.authInterval;
    this.setState("online");
    this.tell("online", { transport, heartbeatSeconds: this.heartbeatSeconds });
    this.timers.push(
      this.options.clock.setInterval(
        () => {
          if (!this.misbehaviour.skipHeartbeats)
            this.request(1000, { token: this.token ?? "" }).catch(() => undefined);
        },
        this.heartbeatSeconds * 1000,
        "heartbeat",
      ),
    );
    // 5.4.2.2: report the whole state and resources, and the version, at once after connecting.
    this.options.model.afterConnect(this.context()).catch((error: unknown) => {
      this.options.logger.debug(
        { deviceId: this.deviceId, err: error },
        "reports after connect did not complete",
      );
    });
  }

  /** Opens a link, giving up after the response timeout: a black-holed address must not hang the device. */
  private open(transport: "tcp" | "udp", address: string): Promise<DeviceLink> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = this.options.clock.setTimeout(
        () => {
          settled = true;
          reject(
            new Error(`no ${transport} connection to ${address} within ${this.timing.responseTimeoutMs} ms`),
          );
        },
        this.timing.responseTimeoutMs,
        "open-timeout",
      );
      this.options.connector.open(transport, address).then(
        (link) => {
          timer.cancel();
          if (settled) link.close();
          else resolve(link);
        },
        (error: unknown) => {
          timer.cancel();
          if (!settled) reject(error);
        },
      );
    });
  }

  /** Drops the connection and logs in again at once (after failed sends, a sequence error, a lost connection). */
  private relogin(reason: string, epoch: number): void {
    if (epoch !== this.epoch || this.current === "off") return;
    this.counters.relogins++;
    this.tell("relogin", { reason });
    this.options.logger.info({ deviceId: this.deviceId, reason }, "logging in again");
    this.teardown();
    void this.login();
  }

  // --- frames in and out ---

  private encode(message: McMessage): Buffer {
    const key = keyKindFor(message.code) === "pin" ? this.pinKey : this.sessionKey;
    if (key === undefined) throw new Error(`${this.deviceId}: no session key for ${message.code}`);
    return encodeFrame(message, {
      key,
      token: this.token ?? "",
      ...(this.options.framing ? { framing: this.options.framing } : {}),
    });
  }

  /** Sends a frame on the current link (or the login link), through the fault switches. */
  private transmit(frame: Buffer, message: McMessage, link: DeviceLink | undefined = this.link): void {
    this.tell("frame", { direction: "out", message, at: this.options.clock.now(), raw: frame });
    if (this.networkDown) return;
    let bytes = frame;
    if (this.misbehaviour.garbleFrames > 0) {
      this.misbehaviour.garbleFrames--;
      bytes = garbleFrame(bytes);
    } else if (this.misbehaviour.corruptCiphertext > 0) {
      this.misbehaviour.corruptCiphertext--;
      bytes = corruptCiphertext(bytes);
    }
    link?.send(bytes);
  }

  private receive(line: Buffer, epoch: number): void {
    if (epoch !== this.epoch || this.networkDown) return;
    const decoded = decodeFrameLine(
      line,
      (envelope) => (keyKindFor(envelope.code) === "pin" ? this.pinKey : this.sessionKey),
      this.options.framing,
    );
    if (!decoded.ok) {
      this.options.logger.debug({ deviceId: this.deviceId, error: decoded.error.code }, "frame dropped");
      return;
    }
    const { message } = decoded.value;
    this.tell("frame", { direction: "in", message, at: this.options.clock.now(), raw: line });
    const type = packetType(message.code);
    if (type.sender !== "platform") return;
    if (type.role === "response") this.settle(message, epoch);
    else this.accept(message as PlatformRequest, epoch);
  }

  /** The model's answer, or 899999 naming what went wrong: a platform request never takes the device down. */
  private handleSafely(request: PlatformRequest): Handled & { frame: Buffer; response: McMessage } {
    const respondWith = (handled: Handled) => {
      const { result, ...rest } = handled.fields;
      const response = {
        code: responseCodeFor(request.code),
        body: { result, sequence: request.body.sequence, ...rest },
      } as McMessage;
      return { ...handled, frame: this.encode(response), response };
    };
    try {
      return respondWith(this.options.model.handle(request, this.context()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn(
        { deviceId: this.deviceId, code: request.code, reason },
        "request not handled",
      );
      return respondWith({
        fields: errorFields(
          request,
          McResult.DeviceUnknownError,
          unixSeconds(this.options.clock),
          reason.slice(0, 200),
        ),
      });
    }
  }

  private settle(message: McMessage, epoch: number): void {
    const sequence = parseSequence((message.body as { sequence: string }).sequence);
    const entry = this.pending.get(sequence);
    if (entry === undefined || responseCodeFor(entry.code) !== message.code) return;
    const body = message.body as Record<string, unknown> & { result: number };
    if (entry.answers !== undefined && !entry.answers(body)) return;
    entry.timer.cancel();
    this.pending.delete(sequence);
    entry.resolve(body);
    // 5.2.2 item 5: the platform saw our sequence out of order; log in again.
    if (
      body.result === McResult.InvalidParameter &&
      typeof body.dscp === "string" &&
      body.dscp.startsWith("expected sequence")
    ) {
      this.relogin("platform reported a sequence error", epoch);
    }
  }

  private accept(request: PlatformRequest, epoch: number): void {
    if (this.current !== "online") return;
    const sequence = parseSequence(request.body.sequence);
    const verdict = classifySequence(this.lastPlatformSequence, sequence);
    if (verdict === "retransmission") {
      // Answered from the stored answer; while a late answer is still on its way there is nothing to repeat.
      if (this.lastPlatformResponse !== undefined) this.respond(this.lastPlatformResponse, undefined);
      return;
    }
    if (verdict === "out-of-order") {
      this.relogin("platform sequence error", epoch);
      return;
    }
    this.lastPlatformSequence = sequence;
    this.lastPlatformResponse = undefined;
    const { frame, response, after } = this.handleSafely(request);
    const send = () => {
      if (epoch !== this.epoch) return;
      this.lastPlatformResponse = frame;
      this.respond(frame, response);
      void Promise.resolve()
        .then(() => after?.(this.context()))
        .catch(() => undefined);
    };
    if (this.misbehaviour.answerLateMs > 0) {
      this.timers.push(this.options.clock.setTimeout(send, this.misbehaviour.answerLateMs, "late-answer"));
    } else send();
  }

  private respond(frame: Buffer, message: McMessage | undefined): void {
    if (this.misbehaviour.dropResponses > 0) {
      this.misbehaviour.dropResponses--;
      return;
    }
    if (message === undefined) {
      if (!this.networkDown) this.link?.send(frame);
      return;
    }
    this.transmit(frame, message);
  }

  private armResend(sequence: number): Timer {
    const epoch = this.epoch;
    return this.options.clock.setTimeout(
      () => {
        const entry = this.pending.get(sequence);
        if (entry === undefined || epoch !== this.epoch) return;
        entry.failures++;
        if (entry.failures >= this.timing.maxFailedSends) {
          this.relogin(`${entry.failures} failed sends of ${entry.code}`, epoch);
          return;
        }
        this.counters.resends++;
        this.tell("resend", { code: entry.code, sequence, failures: entry.failures });
        entry.timer = this.armResend(sequence);
        if (!this.networkDown) this.link?.send(entry.frame);
      },
      this.timing.responseTimeoutMs,
      "device-resend",
    );
  }

  private teardown(): void {
    this.epoch++;
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
    for (const entry of this.pending.values()) {
      entry.timer.cancel();
      entry.reject(new Error(`${this.deviceId}: session ended`));
    }
    this.pending.clear();
    const link = this.link;
    this.link = undefined;
    link?.close();
    const loginLink = this.loginLink;
    this.loginLink = undefined;
    loginLink?.close();
  }

  private tell<K extends keyof DeviceEvents>(event: K, ...args: DeviceEvents[K]): void {
    this.options.observer?.deviceEvent(this, event, args[0]);
    (this.emit as (event: K, ...args: DeviceEvents[K]) => boolean)(event, ...args);
  }

  private setState(state: DeviceState): void {
    if (this.current === state) return;
    this.current = state;
    this.tell("state", state);
  }
}
