import type { Logger } from "pino";
import type { Framing } from "../protocol/cts/envelope.ts";
import { parseEnvelope } from "../protocol/mc/envelope.ts";
import { type CarrierLink, withCrlf } from "./carrier-link.ts";
import type { Connector, Link } from "./socket-link.ts";

export interface PlatformAddresses {
  /** `host:port` of the login server. */
  login: string;
  tcp: string;
  udp: string;
}

export interface BridgeOptions {
  platform: PlatformAddresses;
  /** How the device's sessions reach the platform: one TCP connection, or one datagram per frame. */
  transport: "tcp" | "udp";
  connector: Connector;
  logger: Logger;
  framing?: Framing;
}

/** A device's logins, or its sessions: the one frames go on, and a newer one waiting for the platform's answer. */
interface Legs {
  open: BridgedLink | undefined;
  waiting: BridgedLink | undefined;
}

interface BridgedLink {
  /** The 1002 or 1004 that opened it: the same bytes again are the device resending it, not a new login or session. */
  opener: Buffer;
  link: Link | undefined;
  queue: Buffer[];
  closed: boolean;
}

/**
 * Carries a device's frames between a carrier link (its UART, its MQTT topics) and the platform's servers, so the
 * platform sees an ordinary device: a 1002 opens a connection to the login server and its answer comes back on the
 * stream; a 1004 opens the session (TCP or UDP as configured); every other frame goes on the session. A 1002 or 1004
 * identical to the one that opened a login or session still open or connecting is the device resending it after its
 * 10 s answer timeout (same sequence, same bytes): it goes on that login or session, which a new one would end under
 * the platform's feet. The envelope (clear text) says which is which; nothing is decrypted, so the bridge cannot tell
 * the device's new 1004 from one that only looks like it (anyone who can publish on the device's MQTT topic can send
 * one): a new 1002 or 1004 while a login or session is open opens a second one beside it, which takes the first's
 * place, ending it, only once the platform answers on it, as it answers only a frame sealed with the device's keys. At
 * most one waits so; a newer one ends it. When the stream goes down the platform's connections close, as a device's
 * would when its network went away.
 */
export class PlatformBridge {
  private readonly logins: Legs = { open: undefined, waiting: undefined };
  private readonly sessions: Legs = { open: undefined, waiting: undefined };
  private stopped = false;
  readonly counters = { framesUp: 0, framesDown: 0, dropped: 0, logins: 0, sessions: 0, resent: 0 };

  constructor(
    private readonly stream: CarrierLink,
    private readonly options: BridgeOptions,
  ) {
    stream.onLine((line) => this.fromDevice(line));
    stream.onDown((reason) => {
      this.options.logger.warn({ link: stream.description, reason }, "device link down");
      this.endAll();
    });
    stream.onUp(() => this.options.logger.info({ link: stream.description }, "device link up"));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.endAll();
  }

  private fromDevice(line: Buffer): void {
    if (this.stopped) return;
    const envelope = parseEnvelope(line, this.options.framing);
    if (!envelope.ok) {
      this.counters.dropped++;
      this.options.logger.debug(
        { link: this.stream.description, error: envelope.error.code },
        "frame from device dropped",
      );
      return;
    }
    this.counters.framesUp++;
    const code = envelope.value.code;
    if (code === 1002 || code === 1004) {
      const legs = code === 1002 ? this.logins : this.sessions;
      const resent = [legs.open, legs.waiting].find((leg) => this.isResendOf(leg, line));
      if (resent !== undefined) {
        this.counters.resent++;
        this.deliver(resent, line);
        return;
      }
      if (code === 1002) this.counters.logins++;
      else this.counters.sessions++;
      const { transport, platform } = this.options;
      const leg =
        code === 1002
          ? this.open("tcp", platform.login, line)
          : this.open(transport, transport === "tcp" ? platform.tcp : platform.udp, line);
      if (legs.open === undefined || legs.open.closed) legs.open = leg;
      else {
        this.end(legs.waiting);
        legs.waiting = leg;
      }
      return;
    }
    const session = [this.sessions.open, this.sessions.waiting].find(
      (leg) => leg !== undefined && !leg.closed,
    );
    if (session === undefined) {
      this.counters.dropped++;
      this.options.logger.debug(
        { link: this.stream.description, code },
        "frame from device with no session dropped",
      );
      return;
    }
    this.deliver(session, line);
  }

  /** The platform answered on `leg`: a login or session waiting beside an open one takes its place. */
  private answered(leg: BridgedLink): void {
    for (const legs of [this.logins, this.sessions])
      if (legs.waiting === leg) {
        this.end(legs.open);
        legs.open = leg;
        legs.waiting = undefined;
      }
  }

  private open(transport: "tcp" | "udp", address: string, first: Buffer): BridgedLink {
    const leg: BridgedLink = { opener: Buffer.from(first), link: undefined, queue: [first], closed: false };
    this.options.connector.open(transport, address).then(
      (link) => {
        if (leg.closed) {
          link.close();
          return;
        }
        leg.link = link;
        link.onLine((line) => {
          if (leg.closed) return;
          this.answered(leg);
          this.counters.framesDown++;
          this.stream.send(withCrlf(line));
        });
        link.onClose(() => {
          leg.closed = true;
        });
        for (const frame of leg.queue.splice(0)) link.send(withCrlf(frame));
      },
      (error: unknown) => {
        leg.closed = true;
        this.options.logger.warn(
          {
            link: this.stream.description,
            address,
            err: error instanceof Error ? error.message : String(error),
          },
          "platform unreachable from the bridge",
        );
      },
    );
    return leg;
  }

  private isResendOf(leg: BridgedLink | undefined, line: Buffer): leg is BridgedLink {
    return leg !== undefined && !leg.closed && leg.opener.equals(line);
  }

  private deliver(leg: BridgedLink, line: Buffer): void {
    if (leg.link === undefined) leg.queue.push(line);
    else leg.link.send(withCrlf(line));
  }

  private endAll(): void {
    for (const legs of [this.logins, this.sessions]) {
      this.end(legs.open);
      this.end(legs.waiting);
    }
  }

  private end(leg: BridgedLink | undefined): void {
    if (leg === undefined || leg.closed) return;
    leg.closed = true;
    leg.link?.close();
  }
}
