import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { ipFirstLookup } from "../../../harness/net/address.ts";
import type { Framing } from "../../../harness/protocol/cts/envelope.ts";
import { type DecodedFrame, decodeFrameLine } from "../../../harness/protocol/mc/codec.ts";
import type { Envelope } from "../../../harness/protocol/mc/envelope.ts";
import type { ConnectRequest } from "../../../harness/protocol/mc/schemas/index.ts";
import { parseSequence } from "../../../harness/protocol/mc/sequence.ts";
import { McStreamDecoder } from "../../../harness/protocol/mc/stream-decoder.ts";
import type { ConnectionAdmission } from "../admission.ts";
import type { HandlerGuard } from "../guard.ts";
import type { IssuedLogin, LoginTable } from "../logins.ts";
import type { PlatformMetrics } from "../metrics.ts";
import { answerAndClose } from "../net.ts";
import type { DeviceSession } from "../session.ts";
import type { SessionLink } from "../session-link.ts";

const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ConnectionServerOptions {
  logins: LoginTable;
  logger: Logger;
  metrics: PlatformMetrics;
  clock: Clock;
  admission: ConnectionAdmission;
  guard: HandlerGuard;
  /** The device's open session, on whichever connection server it is. */
  liveSession: (deviceId: string) => DeviceSession | undefined;
  framing: Framing;
  maxFrameLength: number;
  /** A TCP connection that has not sent a valid 1004 after this long is closed. */
  connectTimeoutMs: number;
  /** Opens a session for a valid 1004 (ending any older one of the device) and answers it. */
  onConnect: (
    login: IssuedLogin,
    connect: ConnectRequest,
    channel: SessionLink,
    server: ConnectionServer,
    raw: Uint8Array,
  ) => DeviceSession;
}

/**
 * One connection server: a TCP listener and a UDP socket (5.4.2.2). A connection's first frame must be a 1004
 * whose clear token and encrypted token both match a live login; otherwise it is closed without an answer.
 */
export class ConnectionServer {
  readonly tcp: Server;
  readonly udp: UdpSocket;
  /** Open sessions on this server: the load the login server balances on. */
  readonly sessions = new Set<DeviceSession>();
  private readonly options: ConnectionServerOptions;
  private readonly udpSessions = new Map<string, { session: DeviceSession; channel: UdpChannel }>();

  constructor(options: ConnectionServerOptions, udpType: "udp4" | "udp6") {
    this.options = options;
    this.tcp = createServer((socket) => this.acceptTcp(socket));
    // One socket serves every UDP device of this server: a burst must not overflow the kernel's default buffer
    // (Linux caps the request at net.core.rmem_max). Every answer goes to the IP address its datagram came from: taken
    // as it is (`ipFirstLookup`); its `error` handlers are in place before `bindUdp` binds it.
    this.udp = createSocket({
      type: udpType,
      recvBufferSize: UDP_BUFFER_BYTES,
      sendBufferSize: UDP_BUFFER_BYTES,
      lookup: ipFirstLookup,
    });
    this.udp.on("message", (datagram, rinfo) => this.acceptDatagram(datagram, rinfo));
    this.udp.on("error", (error) => options.logger.warn({ err: error }, "UDP connection server error"));
  }

  get load(): number {
    return this.sessions.size;
  }

  private keyFor = (envelope: Envelope) => this.options.logins.byTokenOf(envelope.token)?.key;

  /** Every datagram's send ends here: one callback for the server, not a closure per datagram. */
  private afterUdpSend = (error: Error | null) => {
    if (error) countSendError(this.options.metrics, error);
  };

  /**
   * The 1004 checks shared by TCP and UDP: the token in clear and in the body must be one that works. A 1004 that
   * repeats a connect already seen for its token is a resend or a replay: it opens nothing (docs/protocol-readings.md,
   * "The reference platform" > Replays). Counts the outcome.
   */
  private checkConnect(frame: DecodedFrame, transport: "tcp" | "udp"): ConnectVerdict {
    const { envelope, message } = frame;
    const login = this.options.logins.byTokenOf(envelope.token);
    if (message.code !== 1004 || login === undefined || message.body.token !== envelope.token) {
      this.options.metrics.connects.inc(transport, "bad_token");
      this.options.logger.info(
        { transport, code: message.code },
        "connect refused: closed without an answer",
      );
      return { kind: "refused" };
    }
    const sequence = parseSequence(message.body.sequence);
    if (this.options.logins.isRepeatedConnect(login.token, sequence)) {
      this.options.metrics.connects.inc(transport, "repeated");
      const live = this.options.liveSession(login.deviceId);
      return { kind: "repeated", ...(live?.token === login.token ? { live } : {}) };
    }
    this.options.metrics.connects.inc(transport, "ok");
    return { kind: "new", login };
  }

  private acceptTcp(socket: Socket): void {
    const admitted = this.options.admission.admit(socket);
    if (admitted === undefined) return;
    const { metrics, logger } = this.options;
    // Small request/response frames: Nagle would hold a frame back until the peer's delayed ACK.
    socket.setNoDelay(true);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const channel: SessionLink = {
      transport: "tcp",
      remote,
      send: (frame) => {
        if (socket.destroyed) return;
        metrics.framesOut.inc("tcp");
        socket.write(frame);
      },
      close: () => {
        socket.destroy();
      },
    };
    const decoder = new McStreamDecoder({
      keyFor: this.keyFor,
      framing: this.options.framing,
      maxFrameLength: this.options.maxFrameLength,
    });
    let session: DeviceSession | undefined;
    const idle = this.options.clock.setTimeout(
      () => socket.destroy(),
      this.options.connectTimeoutMs,
      "connect-timeout",
    );
    socket.on("data", (chunk: Buffer) =>
      this.options.guard.run(
        "tcp",
        () => receive(chunk),
        () => socket.destroy(),
      ),
    );
    const receive = (chunk: Buffer): void => {
      for (const outcome of decoder.push(chunk)) {
        if (socket.destroyed) return;
        if (!outcome.ok) {
          metrics.framesDropped.inc(outcome.error.code);
          logger.debug({ remote, error: outcome.error.code }, "frame dropped");
          if (outcome.error.code === "FRAME_TOO_LONG" || session === undefined) {
            socket.destroy();
            return;
          }
          continue;
        }
        metrics.framesIn.inc("tcp");
        metrics.requests.inc(String(outcome.value.message.code));
        if (session === undefined) {
          const verdict = this.checkConnect(outcome.value, "tcp");
          if (verdict.kind !== "new") {
            // A repeated connect on a new connection: answered from the live session's stored 1005 at most; that
            // session keeps its own connection.
            const answer = verdict.kind === "repeated" ? verdict.live?.answerToConnect : undefined;
            if (answer === undefined) socket.destroy();
            else {
              metrics.framesOut.inc("tcp");
              answerAndClose(socket, answer);
            }
            return;
          }
          idle.cancel();
          admitted.established();
          session = this.options.onConnect(
            verdict.login,
            outcome.value.message.body as ConnectRequest,
            channel,
            this,
            outcome.raw,
          );
          continue;
        }
        if (outcome.value.envelope.token !== session.token) {
          metrics.framesDropped.inc("UNKNOWN_TOKEN");
          continue;
        }
        session.receive(outcome.value.message, outcome.raw);
      }
    };
    socket.on("close", () => {
      idle.cancel();
      session?.end("closed");
    });
    socket.on("error", (error) => logger.debug({ remote, err: error }, "connection error"));
  }

  private acceptDatagram(datagram: Buffer, rinfo: RemoteInfo): void {
    this.options.guard.run(
      "udp",
      () => this.receiveDatagram(datagram, rinfo),
      () => undefined,
    );
  }

  private receiveDatagram(datagram: Buffer, rinfo: RemoteInfo): void {
    const { metrics, logger } = this.options;
    // Nothing can be sent back to port 0: such a datagram could only strand a session's reply address.
    if (rinfo.port === 0) {
      metrics.framesDropped.inc("BAD_SOURCE");
      return;
    }
    // Each datagram carries exactly one frame (docs/protocol-readings.md, "Framing (5.2)"); its CRLF is optional.
    const crlf =
      datagram.length >= 2 &&
      datagram[datagram.length - 2] === 0x0d &&
      datagram[datagram.length - 1] === 0x0a;
    const line = crlf ? datagram.subarray(0, -2) : datagram;
    if (line.length > this.options.maxFrameLength) {
      metrics.framesDropped.inc("FRAME_TOO_LONG");
      return;
    }
    const decoded = decodeFrameLine(line, this.keyFor, this.options.framing);
    if (!decoded.ok) {
      metrics.framesDropped.inc(decoded.error.code);
      logger.debug(
        { remote: `${rinfo.address}:${rinfo.port}`, error: decoded.error.code },
        "datagram dropped",
      );
      return;
    }
    metrics.framesIn.inc("udp");
    const { envelope, message } = decoded.value;
    metrics.requests.inc(String(message.code));
    const token = envelope.token ?? "";
    const known = this.udpSessions.get(token);
    if (message.code === 1004) {
      const verdict = this.checkConnect(decoded.value, "udp");
      if (verdict.kind === "repeated") {
        // The session's own resend of the 1004 whose 1005 was lost is answered again (to the session's address);
        // any other repeat opens nothing.
        if (known !== undefined && known.session === verdict.live)
          known.session.receive(message, line, known.channel.isPeer(rinfo) ? "peer" : "elsewhere");
        return;
      }
      if (verdict.kind === "refused") return;
      const channel: UdpChannel = new UdpChannel(this.udp, rinfo, metrics, this.afterUdpSend, () => {
        if (this.udpSessions.get(token)?.channel === channel) this.udpSessions.delete(token);
      });
      // onConnect ends the device's older session, whose channel then leaves the map.
      const session = this.options.onConnect(verdict.login, message.body, channel, this, line);
      this.udpSessions.set(token, { session, channel });
      return;
    }
    if (known === undefined) {
      metrics.framesDropped.inc("UNKNOWN_TOKEN");
      return;
    }
    // The token names the session. Only a frame the session takes as new moves the reply address (NAT
    // rebinding); a replayed or late datagram from elsewhere is never applied twice and moves nothing.
    const from = known.channel.isPeer(rinfo) ? "peer" : "elsewhere";
    if (known.session.receive(message, line, from)) known.channel.retarget(rinfo);
  }
}

type ConnectVerdict =
  | { kind: "refused" }
  | { kind: "repeated"; live?: DeviceSession }
  | { kind: "new"; login: IssuedLogin };

class UdpChannel implements SessionLink {
  readonly transport = "udp";
  private address: string;
  private port: number;
  private closed = false;

  constructor(
    private readonly socket: UdpSocket,
    rinfo: RemoteInfo,
    private readonly metrics: PlatformMetrics,
    private readonly afterSend: (error: Error | null) => void,
    private readonly onClose: () => void,
  ) {
    this.address = rinfo.address;
    this.port = rinfo.port;
  }

  get remote(): string {
    return `${this.address}:${this.port}`;
  }

  isPeer(rinfo: RemoteInfo): boolean {
    return rinfo.address === this.address && rinfo.port === this.port;
  }

  retarget(rinfo: RemoteInfo): void {
    this.address = rinfo.address;
    this.port = rinfo.port;
  }

  /** Never throws: a datagram that cannot be sent (too long, no route) is counted, as a lost one would be. */
  send(frame: Buffer): void {
    if (this.closed) return;
    this.metrics.framesOut.inc("udp");
    try {
      this.socket.send(frame, this.port, this.address, this.afterSend);
    } catch (error) {
      countSendError(this.metrics, error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

/** A datagram that could not be sent (too long, no route), counted by its errno as a lost one would be. */
function countSendError(metrics: PlatformMetrics, error: unknown): void {
  metrics.sendErrors.inc({ transport: "udp", errno: (error as NodeJS.ErrnoException).code ?? "unknown" });
}
