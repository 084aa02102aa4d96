import { crlfFramer, datagramFramer } from "../../../../harness/link/framer.ts";
import { framedConnector, type Link } from "../../../../harness/link/socket-link.ts";
import { CipherKey } from "../../../../harness/protocol/cts/crypto.ts";
import {
  decodeSearchResponse,
  encodeSearchRequest,
  type FlagOrder,
  type SearchResponse,
} from "../../../../harness/protocol/md/discovery.ts";
import { decodeLanFrame, encodeLanFrame } from "../../../../harness/protocol/md/lan-frame.ts";
import { lanKeyFor } from "../../../../harness/protocol/md/lan-key.ts";
import type { LanMessage } from "../../../../harness/protocol/md/messages.ts";

const connector = framedConnector({ tcp: crlfFramer(), udp: datagramFramer() });

/** Lines as they arrive, and whoever waits for the next. */
class Inbox<T> {
  private readonly queue: T[] = [];
  private readonly waiters: Array<{ resolve: (value: T) => void; reject: (error: Error) => void }> = [];
  private ended = false;

  push(value: T): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(value);
    else waiter.resolve(value);
  }

  end(): void {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error("closed"));
  }

  next(): Promise<T> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve(value);
    if (this.ended) return Promise.reject(new Error("closed"));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

/** An app's side of 6.2.1, one socket: searches and the answers, decoded. */
export class LanSearcher {
  private readonly inbox = new Inbox<Buffer>();

  private constructor(private readonly link: Link) {
    link.onLine((datagram) => this.inbox.push(datagram));
    link.onClose(() => this.inbox.end());
  }

  static async open(address: string): Promise<LanSearcher> {
    return new LanSearcher(await connector.open("udp", address));
  }

  send(bytes: Uint8Array): void {
    this.link.send(Buffer.from(bytes));
  }

  search(model: string, timestamp = 0, platform = 0): void {
    this.send(encodeSearchRequest({ model, timestamp, platform }));
  }

  nextRaw(): Promise<Buffer> {
    return this.inbox.next();
  }

  async next(flagOrder?: FlagOrder): Promise<SearchResponse> {
    const decoded = decodeSearchResponse(await this.nextRaw(), flagOrder);
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  }

  close(): void {
    this.link.close();
  }
}

/** An app's side of the control port (6.2.2-6.2.5): frames in clear until auth succeeds, sealed after. */
export class LanTestClient {
  key: CipherKey | undefined;
  private readonly inbox = new Inbox<Buffer>();
  private closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(private readonly link: Link) {
    let done: () => void = () => undefined;
    this.closed = new Promise((resolve) => {
      done = resolve;
    });
    link.onLine((line) => this.inbox.push(line));
    link.onClose(() => {
      this.closedFlag = true;
      this.inbox.end();
      done();
    });
  }

  static async connect(address: string): Promise<LanTestClient> {
    return new LanTestClient(await connector.open("tcp", address));
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  send(message: LanMessage): void {
    this.link.send(encodeLanFrame(message, this.key));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.link.send(Buffer.from(bytes));
  }

  nextRaw(): Promise<Buffer> {
    return this.inbox.next();
  }

  /** The next message, decoded with the key the client holds (none before auth). */
  async next(): Promise<LanMessage> {
    const decoded = decodeLanFrame(await this.nextRaw(), this.key);
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  }

  /**
   * 6.2.2: sends `auth` with the lanKey the platform would give for `rand` and `pin` (or `lanKey` as given), and
   * takes the key for the frames after it when the device answers 0.
   */
  async auth(
    deviceId: string,
    pin: string,
    options: { rand?: string; liveTime?: string; lanKey?: string } = {},
  ): Promise<LanMessage> {
    const rand = options.rand ?? "1234567890123456";
    const lanKey = options.lanKey ?? lanKeyFor(rand, pin);
    this.send({ cmd: "auth", to: deviceId, rand, lanKey, liveTime: options.liveTime ?? "300" });
    const answer = await this.next();
    if (answer.cmd === "resp" && answer.code === 0)
      this.key = CipherKey.fromLanKey(Buffer.from(lanKey, "hex"));
    return answer;
  }

  close(): void {
    this.link.close();
  }
}
