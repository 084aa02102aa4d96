import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { HilfarmError, type WireError } from "../../harness/errors.ts";
import { crlfFramer, datagramFramer } from "../../harness/link/framer.ts";
import { framedConnector, type Link } from "../../harness/link/socket-link.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { decodeLanFrame, encodeLanFrame } from "../../harness/protocol/md/lan-frame.ts";
import { lanCipherKey } from "../../harness/protocol/md/lan-key.ts";
import type { LanMessage, LanResponse, PostMessage } from "../../harness/protocol/md/messages.ts";

/** 6.2.2: the port a device listens on for LAN control. */
export const MD_CONTROL_PORT = 7681;

export interface LanClientOptions {
  /** The device (or gateway) the app talks to: `to` of every request. */
  deviceId: string;
  clock?: Clock;
  /** How long an answer is awaited. Default 5 s. */
  timeoutMs?: number;
}

export interface LanCredentials {
  /** 16 ASCII digits. */
  rand: string;
  /** 32 hex characters, from the platform (or computed from the PIN where there is no platform). */
  lanKey: string;
  /** Seconds the lanKey lives. */
  liveTime: number;
}

/** The device could not be reached, did not answer in time, or closed the connection while an answer was awaited. */
export class LanAnswerError extends HilfarmError {}

interface Waiting {
  resolve(message: LanMessage): void;
  reject(error: Error): void;
  timer: Timer;
}

/**
 * The phone app's side of the LAN control socket (6.2.2-6.2.5): auth in clear, then query and opt sealed with the
 * lanKey; answers matched by `mid`, every other `post` handed to `onPost`.
 */
export class LanClient {
  private key: CipherKey | undefined;
  private nextMid = 1;
  private readonly waiting = new Map<string, Waiting>();
  private readonly posts: Array<(post: PostMessage) => void> = [];
  private readonly bad: Array<(error: WireError) => void> = [];
  private readonly received: Array<(message: LanMessage) => void> = [];
  private readonly sent: Array<(message: LanMessage) => void> = [];
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(
    private readonly link: Link,
    private readonly options: LanClientOptions,
  ) {
    this.clock = options.clock ?? new RealClock();
    this.timeoutMs = options.timeoutMs ?? 5000;
    link.onLine((line) => this.receive(line));
    link.onBadFrame((error) => {
      for (const listener of this.bad) listener(error);
    });
    this.closed = new Promise((resolve) =>
      link.onClose(() => {
        this.ended = true;
        for (const [mid, w] of this.waiting) {
          w.timer.cancel();
          w.reject(
            new LanAnswerError("LAN_CLOSED", `the device closed the connection before answering ${mid}`),
          );
        }
        this.waiting.clear();
        resolve();
      }),
    );
  }

  static async connect(address: string, options: LanClientOptions): Promise<LanClient> {
    let link: Link;
    try {
      link = await framedConnector({ tcp: crlfFramer(), udp: datagramFramer() }).open("tcp", address);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new LanAnswerError("LAN_UNREACHABLE", `cannot reach the LAN control port ${address}: ${reason}`);
    }
    return new LanClient(link, options);
  }

  get authenticated(): boolean {
    return this.key !== undefined;
  }

  /** Sends `auth` in clear; on code 0 every later frame is sealed with the lanKey. Resolves with the `resp`. */
  async authenticate(credentials: LanCredentials): Promise<LanResponse> {
    const answer = this.await("auth");
    const auth: LanMessage = {
      cmd: "auth",
      to: this.options.deviceId,
      rand: credentials.rand,
      lanKey: credentials.lanKey,
      liveTime: String(credentials.liveTime),
    };
    for (const listener of this.sent) listener(auth);
    this.link.send(encodeLanFrame(auth, undefined));
    const resp = (await answer) as LanResponse;
    if (resp.code === 0) this.key = lanCipherKey(credentials.lanKey);
    return resp;
  }

  /** 6.2.3: the device's state; resolves with its `resp`. */
  async query(): Promise<LanResponse> {
    const mid = this.mid();
    const answer = this.await(mid);
    this.send({ cmd: "query", to: this.options.deviceId, mid });
    return (await answer) as LanResponse;
  }

  /** 6.2.4: sets attributes; resolves with the answer of the same `mid` (a `post`, or a `resp` with an error). */
  async control(as: Record<string, number | string>): Promise<PostMessage | LanResponse> {
    const mid = this.mid();
    const answer = this.await(mid);
    this.send({ cmd: "opt", mid, to: this.options.deviceId, as });
    return (await answer) as PostMessage | LanResponse;
  }

  /** 6.2.5: every `post` that answers no request of ours (a change reported by the device). */
  onPost(listener: (post: PostMessage) => void): void {
    this.posts.push(listener);
  }

  /** Every message from the device that decodes, answers included, before it is matched (a suite's record). */
  onMessage(listener: (message: LanMessage) => void): void {
    this.received.push(listener);
  }

  /** Every message this client sends, `auth` included, as it goes out. */
  onSent(listener: (message: LanMessage) => void): void {
    this.sent.push(listener);
  }

  /** Frames from the device that do not decode. */
  onBadFrame(listener: (error: WireError) => void): void {
    this.bad.push(listener);
  }

  /** Sends bytes as they are: for suites that check how a device takes what an app should not send. */
  sendRaw(bytes: Buffer): void {
    this.link.send(bytes);
  }

  close(): Promise<void> {
    this.link.close();
    return this.closed;
  }

  private mid(): string {
    return String(this.nextMid++);
  }

  private send(message: LanMessage): void {
    for (const listener of this.sent) listener(message);
    this.link.send(encodeLanFrame(message, this.key));
  }

  private await(mid: string): Promise<LanMessage> {
    if (this.ended) return Promise.reject(new LanAnswerError("LAN_CLOSED", "the connection is closed"));
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => {
          this.waiting.delete(mid);
          reject(new LanAnswerError("LAN_TIMEOUT", `no answer to ${mid} within ${this.timeoutMs} ms`));
        },
        this.timeoutMs,
        "lan-answer",
      );
      this.waiting.set(mid, { resolve, reject, timer });
    });
  }

  private receive(line: Buffer): void {
    const decoded = decodeLanFrame(line, this.key);
    if (!decoded.ok) {
      for (const listener of this.bad) listener(decoded.error);
      return;
    }
    const message = decoded.value;
    for (const listener of this.received) listener(message);
    const carried = "mid" in message && typeof message.mid === "string" ? message.mid : undefined;
    const mid = this.key === undefined && message.cmd === "resp" ? "auth" : carried;
    const waiter = mid === undefined ? undefined : this.waiting.get(mid);
    if (waiter !== undefined && mid !== undefined) {
      this.waiting.delete(mid);
      waiter.timer.cancel();
      waiter.resolve(message);
      return;
    }
    if (message.cmd === "post") for (const listener of this.posts) listener(message);
  }
}
