import { EventEmitter } from "node:events";
import type { Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import type { Link } from "../../harness/link/socket-link.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { type McCode, packetType } from "../../harness/protocol/mc/packet-types.ts";
import { isSequenceErrorAnswer } from "../../harness/protocol/mc/responder.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { chooseTransport, noLocalPort, openWithin } from "./connect.ts";
import type { DeviceCounters, DeviceEvents, DeviceObserver, DeviceState } from "./device-events.ts";
import { DeviceWire } from "./device-wire.ts";
import { heartbeatSeconds, startHeartbeat } from "./heartbeat.ts";
import { awaitLoginAnswer, type LoginFailure, loginRequest, loginRetryMs, loginVerdict } from "./login.ts";
import { type Misbehaviour, wellBehaved } from "./misbehaviour.ts";
import type {
  DeviceContext,
  DeviceModel,
  DeviceRequestBody,
  DeviceRequestCode,
  KeypadOutcome,
  PlatformRequest,
} from "./model.ts";
import { type DeviceTiming, defaultDeviceTiming, type EmulatedDeviceOptions } from "./options.ts";
import { RequestsFromPlatform, type RequestsFromPlatformDependencies } from "./requests-from-platform.ts";
import {
  type Answer,
  RequestsToPlatform,
  type RequestsToPlatformDependencies,
} from "./requests-to-platform.ts";
import { type SpeakOptions, sendVoiceSegments, voiceSegments } from "./voice-control.ts";

/** An event with other than one argument becomes `never`: `tell` could not send it. */
type OneArgument<T> = { [K in keyof T]: T[K] extends [unknown] ? T[K] : never };

type DeviceListener<K extends keyof DeviceEvents> = (...args: DeviceEvents[K]) => void;

/**
 * The platform's addresses as one string each for the process: every login response brings its own copy, 32 bytes a
 * device kept for the session (docs/benchmarks.md, "Fewer objects per device"). Bounded: addresses past the first
 * 256 are kept as they came.
 */
const platformAddresses = new Map<string, string>();
function sharedAddress(address: string): string {
  const known = platformAddresses.get(address);
  if (known !== undefined) return known;
  if (platformAddresses.size < 256) platformAddresses.set(address, address);
  return address;
}

export type {
  DeviceCounters,
  DeviceEvents,
  DeviceObserver,
  DeviceState,
  EmulatedDeviceOptions,
  LoginFailure,
};

/**
 * The device-side session machine every emulated device shares (5.3.1, 5.4.2): login with back-off and the
 * platform-authenticity check, UDP then TCP, connect, heartbeat, resends and re-login, per-direction sequences,
 * reports after connect, and dispatch of platform requests to the device's model.
 */
export class EmulatedDevice {
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
  private readonly wire: DeviceWire;
  private current: DeviceState = "off";
  /** Bumped at every power-off and re-login: callbacks of an older epoch do nothing. */
  private epoch = 0;
  private link: Link | undefined;
  /** The login server's link while a login is under way: a power-off closes it. */
  private loginLink: Link | undefined;
  private hosts: { tcp: string; udp: string } | undefined;
  private authIntervalSeconds: number | undefined;
  private heartbeatSeconds: number;
  private readonly toPlatform: RequestsToPlatform;
  private readonly fromPlatform: RequestsFromPlatform;
  private consecutiveLoginFailures = 0;
  private timers: readonly Timer[] = [];
  private networkUpAt = 0;
  /**
   * Made at the first listener: a farm's devices have none (one observer sees them all), and an emitter holds a
   * table of its own from the start, about 200 bytes a device (docs/benchmarks.md, "Fewer objects per device").
   */
  private emitter: EventEmitter | undefined;

  constructor(options: EmulatedDeviceOptions) {
    this.options = options;
    this.deviceId = options.deviceId;
    // Shared when the device changes none: a farm's devices all keep the spec's timing.
    this.timing =
      options.timing === undefined ? defaultDeviceTiming : { ...defaultDeviceTiming, ...options.timing };
    this.misbehaviour = { ...wellBehaved(), ...options.misbehaviour };
    this.heartbeatSeconds = this.timing.defaultHeartbeatSeconds;
    const pinKey = CipherKey.fromPin(options.pin);
    const { deviceId, misbehaviour } = this;
    this.wire = new DeviceWire({
      deviceId,
      pinKey,
      framing: options.framing,
      misbehaviour,
      logger: options.logger,
    });
    // One object serves both directions' dependencies: its methods sit on a prototype, where seven closures, two
    // objects and their context would be made for every device (docs/benchmarks.md, "Fewer objects per device").
    // Reached through the instance: a class naming itself in its own body gets a second name when compiled.
    const port = new (this.constructor as typeof EmulatedDevice).Port(this);
    this.toPlatform = new RequestsToPlatform(port);
    this.fromPlatform = new RequestsFromPlatform(port);
  }

  /** What the device's own requests and its answers to the platform send with, and what they tell it. */
  private static readonly Port = class DevicePort
    implements RequestsToPlatformDependencies, RequestsFromPlatformDependencies
  {
    constructor(private readonly device: EmulatedDevice) {}
    get deviceId() {
      return this.device.deviceId;
    }
    get clock() {
      return this.device.options.clock;
    }
    get logger() {
      return this.device.options.logger;
    }
    get model() {
      return this.device.options.model;
    }
    get misbehaviour() {
      return this.device.misbehaviour;
    }
    get timing() {
      return this.device.timing;
    }
    context() {
      return this.device.context();
    }
    encode(message: McMessage) {
      return this.device.wire.encode(message);
    }
    transmit(frame: Buffer, message: McMessage) {
      this.device.transmit(frame, message);
    }
    sendAgain(frame: Buffer) {
      if (!this.device.networkDown) this.device.link?.send(frame);
    }
    onResend({ code, sequence, failures }: { code: McCode; sequence: number; failures: number }) {
      this.device.counters.resends++;
      this.device.tell("resend", { code, sequence, failures });
    }
    onGiveUp({ code, failures }: { code: McCode; failures: number }) {
      this.device.relogin(`${failures} failed sends of ${code}`, this.device.epoch);
    }
    onSequenceError() {
      this.device.relogin("platform sequence error", this.device.epoch);
    }
  };

  on<K extends keyof DeviceEvents>(event: K, listener: DeviceListener<K>): this {
    this.listened().on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof DeviceEvents>(event: K, listener: DeviceListener<K>): this {
    this.listened().once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof DeviceEvents>(event: K, listener: DeviceListener<K>): this {
    this.emitter?.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  get state(): DeviceState {
    return this.current;
  }

  get model(): DeviceModel {
    return this.options.model;
  }

  /**
   * A code typed at a lock's keypad: this device's, or (on a gateway) the sub-device `target`'s. What the lock did,
   * after it reported it.
   */
  async typeCode(code: string, target = this.deviceId): Promise<KeypadOutcome> {
    const { model } = this.options;
    if (model.typeCode === undefined) throw new Error(`${model.model} has no keypad`);
    return model.typeCode(this.context(), code, target);
  }

  /** The interval the platform set in 1005 (or the default). */
  get heartbeat(): number {
    return this.heartbeatSeconds;
  }

  get transport(): "tcp" | "udp" | undefined {
    return this.current === "online" ? this.link?.transport : undefined;
  }

  /** The device's sequence counter (5.2.2 item 5). */
  private get sequence(): number | undefined {
    return this.toPlatform.sequence;
  }
  private set sequence(sequence: number | undefined) {
    this.toPlatform.sequence = sequence;
  }

  /** The sequence of the last platform request accepted: none after a connect. */
  private set lastPlatformSequence(sequence: number | undefined) {
    this.fromPlatform.lastSequence = sequence;
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
  ): Promise<Answer> {
    return this.toPlatform.oneAtATime(() => {
      if (this.current !== "online") return Promise.reject(new Error(`${this.deviceId} is not online`));
      // The `wrongSequence` fault switch: this request goes out 7 past its sequence.
      const offBy = this.misbehaviour.wrongSequence > 0 ? 7 : 0;
      if (offBy > 0) this.misbehaviour.wrongSequence--;
      return this.toPlatform.send(code, body, "next", { offBy });
    });
  }

  /**
   * Voice control (5.4.3.17): the utterance's bytes go up in segments of `segmentBytes`, all with one sequence and
   * one `voiceId`, `sn` from 1 and `isLast` "1" on the last; resolves with the answer to the last segment.
   */
  async speak(audio: Buffer | string, options: SpeakOptions = {}) {
    return this.toPlatform.oneAtATime(async () => {
      if (this.current !== "online") throw new Error(`${this.deviceId} is not online`);
      const segments = voiceSegments(audio, `${this.deviceId}${unixSeconds(this.options.clock)}`, options);
      return sendVoiceSegments(this.toPlatform, this.deviceId, segments);
    });
  }

  /** Speech synthesis (5.4.3.18): text in, the platform's audio (Base64) out. */
  synthesize(
    content: string,
    ttsParam: { anchor?: string; format?: "pcm" | "speex" | "amr"; rate?: 8000 | 16000 } = {},
  ) {
    return this.request(3000, { deviceId: this.deviceId, ttsParam: { content, ...ttsParam } });
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
    this.dropSpentTimers();
    this.setState("logging-in");
    this.counters.loginAttempts++;
    if (this.networkDown) return this.loginFailed(epoch, "network-down");
    let link: Link;
    try {
      link = await this.open("tcp", this.options.loginAddress);
    } catch (error) {
      return this.loginFailed(epoch, noLocalPort(error) ? "no-local-port" : "unreachable");
    }
    if (epoch !== this.epoch) return link.close();
    this.loginLink = link;
    const sequence = this.options.random.sequence();
    const { clock, framing, model } = this.options;
    const outcome = await awaitLoginAnswer({
      link,
      clock,
      timeoutMs: this.timing.responseTimeoutMs,
      pinKey: this.wire.pinKey,
      framing,
      track: (timer) => this.track(timer),
      send: () => {
        const message = loginRequest(this.deviceId, model.version, sequence, unixSeconds(clock));
        this.transmit(this.wire.encode(message), message, link);
      },
    });
    link.close();
    if (this.loginLink === link) this.loginLink = undefined;
    if (epoch !== this.epoch) return;
    this.dropSpentTimers();
    if (typeof outcome === "string") return this.loginFailed(epoch, outcome);
    this.tell("frame", { direction: "in", message: outcome.message, at: clock.now(), raw: outcome.raw });
    const response = outcome.message.body;
    const failure = loginVerdict(response, sequence);
    if (failure !== undefined) return this.loginFailed(epoch, failure);
    this.consecutiveLoginFailures = 0;
    this.counters.authentications++;
    this.wire.token = response.token;
    this.wire.sessionKey = CipherKey.fromSessionKey(response.sessionKey);
    this.hosts = { tcp: sharedAddress(response.tcpHost), udp: sharedAddress(response.udpHost) };
    await this.connect(epoch);
  }

  private loginFailed(epoch: number, reason: LoginFailure): void {
    if (epoch !== this.epoch) return;
    this.counters.loginFailures++;
    this.consecutiveLoginFailures++;
    const retryInMs = loginRetryMs(this.consecutiveLoginFailures, this.timing, this.authIntervalSeconds);
    this.setState("backoff");
    this.tell("login-failed", { reason, consecutive: this.consecutiveLoginFailures, retryInMs });
    this.options.logger.info({ deviceId: this.deviceId, reason, retryInMs }, "login failed");
    this.track(this.options.clock.setTimeout(() => void this.login(), retryInMs, "login-retry"));
  }

  // --- connect (5.4.2.2) ---

  private async connect(epoch: number): Promise<void> {
    this.setState("connecting");
    const transport = chooseTransport(this.options.transport, this.counters.authentications, this.timing);
    const address = transport === "tcp" ? this.hosts?.tcp : this.hosts?.udp;
    let link: Link;
    try {
      if (this.networkDown || address === undefined) throw new Error("network down");
      link = await this.open(transport, address);
    } catch (error) {
      return noLocalPort(error)
        ? this.relogin(`no free local port for a ${transport} link`, epoch, "no-local-port")
        : this.relogin("connection server unreachable", epoch);
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
    this.lastPlatformSequence = undefined;
    this.counters.connects++;
    const { model, random } = this.options;
    const fields = { token: this.wire.token, devVersion: model.version, model: model.model };
    let response: Answer;
    try {
      response = await this.toPlatform.send(1004, fields, { start: random.sequence() });
    } catch {
      return;
    }
    if (epoch !== this.epoch) return;
    if (response.result !== McResult.Success)
      return this.relogin(`connect refused (${response.result})`, epoch);
    this.heartbeatSeconds = heartbeatSeconds(response, this.timing);
    if (typeof response.authInterval === "number") this.authIntervalSeconds = response.authInterval;
    this.setState("online");
    this.tell("online", { transport, heartbeatSeconds: this.heartbeatSeconds });
    this.track(
      startHeartbeat(this.options.clock, this.heartbeatSeconds, this.misbehaviour, () =>
        this.request(1000, { token: this.wire.token ?? "" }),
      ),
    );
    // 5.4.2.2: report the whole state and resources, and the version, at once after connecting.
    model.afterConnect(this.context()).catch((error: unknown) => {
      this.options.logger.debug(
        { deviceId: this.deviceId, err: error },
        "reports after connect did not complete",
      );
    });
  }

  private open(transport: "tcp" | "udp", address: string): Promise<Link> {
    const { connector, clock } = this.options;
    return openWithin(connector, clock, transport, address, this.timing.responseTimeoutMs);
  }

  /** Drops the connection and logs in again at once (after failed sends, a sequence error, a lost connection). */
  private relogin(reason: string, epoch: number, cause?: DeviceEvents["relogin"][0]["cause"]): void {
    if (epoch !== this.epoch || this.current === "off") return;
    this.counters.relogins++;
    this.tell("relogin", cause === undefined ? { reason } : { reason, cause });
    this.options.logger.info({ deviceId: this.deviceId, reason }, "logging in again");
    this.teardown();
    void this.login();
  }

  // --- frames in and out ---

  /** Sends a frame on the current link (or the login link), through the fault switches. */
  private transmit(frame: Buffer, message: McMessage, link: Link | undefined = this.link): void {
    this.tell("frame", { direction: "out", message, at: this.options.clock.now(), raw: frame });
    if (!this.networkDown) this.wire.send(link, frame);
  }

  private receive(line: Buffer, epoch: number): void {
    if (epoch !== this.epoch || this.networkDown) return;
    const message = this.wire.decode(line);
    if (message === undefined) return;
    this.tell("frame", { direction: "in", message, at: this.options.clock.now(), raw: line });
    const type = packetType(message.code);
    if (type.sender !== "platform") return;
    if (type.role === "request") {
      if (this.current === "online") this.fromPlatform.accept(message as PlatformRequest);
      return;
    }
    const body = message.body as Answer & { sequence: string };
    // 5.2.2 item 5: the platform saw our sequence out of order; log in again.
    if (this.toPlatform.settle(message.code, body) && isSequenceErrorAnswer(body))
      this.relogin("platform reported a sequence error", epoch);
  }

  /** A timer of this session, cancelled at its end. A session has a few: the list grows by `concat` (see LinkEvents). */
  private track(timer: Timer): void {
    this.timers = this.timers.concat(timer);
  }

  /**
   * At a login's start and end every timer tracked has fired or been cancelled: the retry that started it, the last
   * login's response timer. Dropped there, an online device keeps only its heartbeat, and one in back-off does not
   * keep two more timers for every attempt.
   */
  private dropSpentTimers(): void {
    this.timers = [];
  }

  private teardown(): void {
    this.epoch++;
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
    this.toPlatform.end(new Error(`${this.deviceId}: session ended`));
    this.fromPlatform.end();
    const link = this.link;
    this.link = undefined;
    link?.close();
    const loginLink = this.loginLink;
    this.loginLink = undefined;
    loginLink?.close();
  }

  private listened(): EventEmitter {
    this.emitter ??= new EventEmitter();
    return this.emitter;
  }

  /** Every device event has one argument: passed as it is, without a rest array per frame. */
  private tell<K extends keyof DeviceEvents>(event: K, arg: OneArgument<DeviceEvents>[K][0]): void {
    this.options.observer?.deviceEvent(this, event, arg);
    this.emitter?.emit(event, arg);
  }

  private setState(state: DeviceState): void {
    if (this.current === state) return;
    this.current = state;
    this.tell("state", state);
  }
}
