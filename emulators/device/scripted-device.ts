import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { EventEmitter } from "node:events";
import { type Socket, connect as tcpConnect } from "node:net";
import { HilfarmError } from "../../harness/errors.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { keyKindFor } from "../../harness/protocol/mc/packet-types.ts";
import type { BodyOf, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { formatSequence, sequenceAfter } from "../../harness/protocol/mc/sequence.ts";
import { McStreamDecoder } from "../../harness/protocol/mc/stream-decoder.ts";

/**
 * The platform closed the login or connection link before answering the 1002 or 1004: how it refuses a login or
 * a connect (5.3.1, 5.4.2.1-2). Distinct from no answer at all (the link left open), which is a timeout.
 */
export class LinkClosed extends HilfarmError {
  static readonly CODE = "CLOSED_WITHOUT_ANSWER";
  declare readonly code: typeof LinkClosed.CODE;
  constructor(link: "login" | "connect") {
    super(
      LinkClosed.CODE,
      link === "login" ? "login connection closed without an answer" : "connection closed without an answer",
    );
  }
}

/**
 * A minimal device for the platform's integration tests: it does exactly what a test tells it, over real
 * TCP and UDP sockets, and records what it receives. No timers: tests wait on what arrives.
 */
export class ScriptedDevice extends EventEmitter<{
  frame: [{ direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array }];
}> {
  readonly deviceId: string;
  readonly pin: string;
  token: string | undefined;
  sessionKey: string | undefined;
  tcpHost: string | undefined;
  udpHost: string | undefined;
  /** The device's own request counter (5.2.2 item 5). */
  sequence = 100;
  readonly received: McMessage[] = [];
  private link: RawLink | undefined;
  /** The login server's link while a login waits for its answer. */
  private loginLink: RawLink | undefined;
  private waiters: Array<{ match: (m: McMessage) => boolean; resolve: (m: McMessage) => void }> = [];

  /** `clock` stamps the frames it emits (`frame` events, for evidence); the real clock by default. */
  constructor(
    deviceId: string,
    pin: string,
    private readonly clock: { now(): number } = Date,
  ) {
    super();
    this.deviceId = deviceId;
    this.pin = pin;
  }

  private emitFrame(direction: "in" | "out", message: McMessage, raw: Uint8Array): void {
    this.emit("frame", { direction, message, at: this.clock.now(), raw });
  }

  /**
   * 1002 -> 1003 on the login server. Resolves with the 1003 body, or rejects with `LinkClosed` when the platform
   * closes the connection without an answer.
   */
  async login(
    loginAddress: string,
    overrides: {
      clearDeviceId?: string;
      pin?: string;
      from?: string;
      body?: { version?: string; time?: number };
    } = {},
  ): Promise<BodyOf<1003>> {
    const key = CipherKey.fromPin(overrides.pin ?? this.pin);
    const login: McMessage = {
      code: 1002,
      body: {
        sequence: formatSequence(this.sequence),
        deviceId: this.deviceId,
        version: "1.0.0.1",
        time: 1767225600,
        ...overrides.body,
      },
    };
    // Encoded before the link opens: a body the encoder refuses leaves no socket behind.
    const frame = encodeFrame(login, { key, deviceId: overrides.clearDeviceId ?? this.deviceId });
    const link = await TcpLink.open(loginAddress, overrides.from);
    this.loginLink = link;
    const decoder = new McStreamDecoder({ keyFor: () => CipherKey.fromPin(this.pin) });
    const answer = new Promise<BodyOf<1003>>((resolve, reject) => {
      link.onData((chunk) => {
        for (const outcome of decoder.push(chunk)) {
          if (outcome.ok && outcome.value.message.code === 1003) {
            this.emitFrame("in", outcome.value.message, outcome.raw);
            resolve(outcome.value.message.body);
          }
        }
      });
      link.onClose(() => reject(new LinkClosed("login")));
    });
    this.emitFrame("out", login, frame);
    link.send(frame);
    try {
      const body = await answer;
      this.token = body.token;
      this.sessionKey = body.sessionKey;
      this.tcpHost = body.tcpHost;
      this.udpHost = body.udpHost;
      return body;
    } finally {
      link.close();
      this.loginLink = undefined;
    }
  }

  /**
   * Opens the connection-server link and sends 1004; resolves with the 1005 body, or rejects with `LinkClosed` when
   * the platform closes the link without an answer.
   */
  async connect(
    transport: "tcp" | "udp",
    options: {
      bodyToken?: string;
      from?: string;
      body?: { devVersion?: string; model?: string; time?: number };
    } = {},
  ): Promise<BodyOf<1005>> {
    const address = transport === "tcp" ? this.tcpHost : this.udpHost;
    if (address === undefined || this.token === undefined) throw new Error("log in first");
    this.link =
      transport === "tcp"
        ? await TcpLink.open(address, options.from)
        : await UdpLink.open(address, options.from);
    const decoder = new McStreamDecoder({ keyFor: (e) => this.keyFor(e.code) });
    this.link.onData((chunk) => {
      for (const outcome of decoder.push(chunk))
        if (outcome.ok) {
          this.emitFrame("in", outcome.value.message, outcome.raw);
          this.deliver(outcome.value.message);
        }
    });
    const link = this.link;
    const response = Promise.race([
      this.next(1005),
      link.closed().then(() => {
        throw new LinkClosed("connect");
      }),
    ]);
    this.sendRaw({
      code: 1004,
      body: {
        sequence: formatSequence(this.sequence),
        token: options.bodyToken ?? this.token,
        devVersion: "1.0.0.1",
        model: "CT-TEST-01",
        time: 1767225600,
        ...options.body,
      },
    });
    return (await response).body as BodyOf<1005>;
  }

  /** Sends a device request with the next sequence, and resolves with the platform's response. */
  async request<M extends McMessage>(message: {
    code: M["code"];
    body: Omit<M["body"], "sequence">;
  }): Promise<McMessage> {
    this.sequence = sequenceAfter(this.sequence);
    return this.requestWithSequence(message, this.sequence);
  }

  /** Sends a request with a chosen sequence (retransmissions, sequence errors). */
  async requestWithSequence(
    message: { code: number; body: Record<string, unknown> },
    sequence: number,
  ): Promise<McMessage> {
    const seq = formatSequence(sequence);
    const answer = this.next(
      (m) => (m.body as { sequence?: string }).sequence === seq && m.code !== message.code,
    );
    this.sendRaw({ code: message.code, body: { sequence: seq, ...message.body } } as McMessage);
    return answer;
  }

  /** Resolves with the next received message that matches (a code or a predicate); already-received ones count. */
  next(match: number | ((m: McMessage) => boolean)): Promise<McMessage> {
    const test = typeof match === "number" ? (m: McMessage) => m.code === match : match;
    const index = this.received.findIndex(test);
    if (index >= 0) return Promise.resolve(this.received.splice(index, 1)[0] as McMessage);
    return new Promise((resolve) => this.waiters.push({ match: test, resolve }));
  }

  /** Answers a platform request with its response code, echoing the sequence. */
  respond(request: McMessage, code: number, body: Record<string, unknown>): void {
    const sequence = (request.body as { sequence: string }).sequence;
    const { result = 0, ...rest } = body;
    this.sendRaw({ code, body: { result, sequence, ...rest } } as McMessage);
  }

  sendRaw(message: McMessage): void {
    if (this.link === undefined) throw new Error("not connected");
    const frame = encodeFrame(message, { key: this.keyFor(message.code), token: this.token ?? "" });
    this.emitFrame("out", message, frame);
    this.link.send(frame);
  }

  sendBytes(bytes: Buffer): void {
    this.link?.send(bytes);
  }

  closed(): Promise<void> {
    return this.link?.closed() ?? Promise.resolve();
  }

  /** Closes the connection, and a login still waiting for its answer. */
  close(): void {
    this.link?.close();
    this.loginLink?.close();
  }

  /**
   * Ends the connection the way a device that switches off cleanly does: over TCP it half-closes and resolves once
   * the platform has closed its side too (so the platform has seen the end); over UDP it closes the socket.
   */
  hangUp(): Promise<void> {
    if (this.link === undefined) return Promise.resolve();
    this.link.end();
    return this.link.closed();
  }

  private keyFor(code: number): CipherKey {
    return keyKindFor(code as McMessage["code"]) === "pin"
      ? CipherKey.fromPin(this.pin)
      : CipherKey.fromSessionKey(this.sessionKey ?? "");
  }

  private deliver(message: McMessage): void {
    const index = this.waiters.findIndex((w) => w.match(message));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter?.resolve(message);
    } else this.received.push(message);
  }
}

interface RawLink {
  send(bytes: Buffer): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  closed(): Promise<void>;
  close(): void;
  /** Half-closes a TCP link (the peer's close then closes it); closes a UDP one. */
  end(): void;
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at).replace(/^\[|\]$/g, ""), Number(address.slice(at + 1))];
}

class TcpLink implements RawLink {
  private readonly done: Promise<void>;
  private constructor(private readonly socket: Socket) {
    this.done = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
  }

  /** `from`: the local address to connect from (e.g. 127.0.0.2, a second source address on Linux loopback). */
  static open(address: string, from?: string): Promise<TcpLink> {
    const [host, port] = splitHostPort(address);
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ port, host, ...(from === undefined ? {} : { localAddress: from }) }, () =>
        resolve(new TcpLink(socket)),
      );
      socket.once("error", reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.socket.on("data", listener);
  }
  onClose(listener: () => void): void {
    this.socket.once("close", listener);
  }
  closed(): Promise<void> {
    return this.done;
  }
  close(): void {
    this.socket.destroy();
  }
  end(): void {
    this.socket.end();
  }
}

class UdpLink implements RawLink {
  private readonly closeListeners: Array<() => void> = [];
  private readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;
  private constructor(
    private readonly socket: UdpSocket,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  static async open(address: string, from?: string): Promise<UdpLink> {
    const [host, port] = splitHostPort(address);
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve) => socket.bind(0, from ?? host, () => resolve()));
    return new UdpLink(socket, host, port);
  }

  send(bytes: Buffer): void {
    this.socket.send(bytes, this.port, this.host);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.socket.on("message", (datagram) => listener(datagram));
  }
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  closed(): Promise<void> {
    return this.done;
  }
  close(): void {
    this.socket.close();
    for (const l of this.closeListeners) l();
    this.resolveDone();
  }
  end(): void {
    this.close();
  }
}
