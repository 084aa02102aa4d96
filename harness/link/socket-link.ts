import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { connect, type OnReadOpts, type Socket, type TcpNetConnectOpts } from "node:net";
import { UsageError, type WireError } from "../errors.ts";
import { ipFirstLookup, udpSocketType } from "../net/address.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../protocol/cts/envelope.ts";
import { crlfFramer, ctsDatagramFramer, type Framer, type FramerFactory } from "./framer.ts";
import { LinkEvents } from "./link-events.ts";

/**
 * A device's connection to a platform server, seen as frame lines: TCP split on CRLF, UDP one frame per datagram.
 * `close()` is idempotent; `onClose` fires once, whoever closed. A wrapper calls the methods of the link it wraps:
 * socket links keep their methods on a class, so a spread (`{ ...link }`) copies none of them.
 */
export interface Link {
  readonly transport: "tcp" | "udp";
  send(frame: Buffer): void;
  close(): void;
  onLine(listener: (line: Buffer) => void): void;
  onBadFrame(listener: (error: WireError) => void): void;
  onClose(listener: () => void): void;
}

/** Opens links; scenarios wrap it to inject faults, real devices use `socketConnector`. */
export interface Connector {
  open(transport: "tcp" | "udp", address: string): Promise<Link>;
}

/** `host:port` (IPv6 in brackets) -> its parts; port 0 (any free port) only where a listener asks for it. */
export function splitAddress(
  address: string,
  options: { allowPortZero?: boolean } = {},
): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  const lowest = options.allowPortZero === true ? 0 : 1;
  if (at < 0 || !Number.isInteger(port) || port < lowest || port > 65535) {
    throw new UsageError("address", `not a host:port address: ${JSON.stringify(address)}`);
  }
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ""), port };
}

/**
 * Every TCP link this module opens reads into this one buffer (`onread`): no buffer allocated per read, and no
 * readable stream between the socket and the framer. Each read is framed at once, and the framer copies out what it
 * keeps and returns.
 */
const tcpReadBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * The options of a TCP link's socket. Node's `Socket` copies its options (`{ ...options }`) and sets four fields on
 * the copy. V8 keeps a copy's hidden class outside its tree of transitions, so each field added to a copy made a new
 * hidden class: four per connection (`npm run bench:maps`). Given here with the values Node sets, they are only
 * written again, and every copy keeps one class.
 */
export function tcpConnectOptions(
  host: string,
  port: number,
  onread: OnReadOpts,
  localAddress?: string,
): TcpNetConnectOpts {
  const options = {
    host,
    port,
    noDelay: true,
    onread,
    ...(localAddress === undefined ? {} : { localAddress }),
    allowHalfOpen: false,
    emitClose: false,
    autoDestroy: true,
    decodeStrings: false,
  };
  return options;
}

function tcpLink(address: string, framer: FramerFactory, localAddress?: string): Promise<Link> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const frames = framer();
    let link: TcpLink | undefined;
    const onread = {
      buffer: tcpReadBuffer,
      callback: (bytes: number) => {
        link?.read(tcpReadBuffer.subarray(0, bytes));
        return true;
      },
    };
    const socket = connect(tcpConnectOptions(host, port, onread, localAddress));
    link = new TcpLink(socket, frames);
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", ignore);
      resolve(link);
    });
  });
}

function udpLink(address: string, framer: FramerFactory, localAddress?: string): Promise<Link> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    // Its handlers are in place before `bind`, which with `ipFirstLookup` may finish within the call.
    const socket = createSocket({ type: udpSocketType(host), lookup: ipFirstLookup });
    // A bind that fails (no free port, an address not this machine's) leaves the socket open: close it.
    const failed = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once("error", failed);
    socket.bind(0, localAddress, () => {
      socket.off("error", failed);
      socket.on("error", ignore);
      resolve(new UdpLink(socket, host, port, framer()));
    });
  });
}

const ignore = () => undefined;

// The links are classes rather than literals of closures: a farm holds one per device, and methods on the prototype
// cost it nothing (docs/benchmarks.md, "Memory per device").

/** What the TCP and UDP links share: their listeners, and the frames of what arrives delivered to them. */
abstract class FramedLink implements Link {
  abstract readonly transport: "tcp" | "udp";
  protected readonly events = new LinkEvents();

  constructor(private readonly frames: Framer) {}

  abstract send(frame: Buffer): void;
  abstract close(): void;
  onLine(listener: (line: Buffer) => void): void {
    this.events.addLine(listener);
  }
  onBadFrame(listener: (error: WireError) => void): void {
    this.events.addBad(listener);
  }
  onClose(listener: () => void): void {
    this.events.addClose(listener);
  }

  protected receive(bytes: Buffer): void {
    for (const outcome of this.frames.push(bytes)) {
      if (outcome.ok) this.events.deliver(this.events.line, outcome.frame, this);
      else this.events.deliver(this.events.bad, outcome.error, this);
    }
  }
}

class TcpLink extends FramedLink {
  readonly transport = "tcp";

  constructor(
    private readonly socket: Socket,
    frames: Framer,
  ) {
    super(frames);
    socket.on("close", () => this.events.fireClose());
  }

  /** What one read put in the shared read buffer, valid until the next read. */
  read(bytes: Buffer): void {
    this.receive(bytes);
  }

  send(frame: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }
  close(): void {
    this.socket.destroy();
  }
}

class UdpLink extends FramedLink {
  readonly transport = "udp";

  constructor(
    private readonly socket: DgramSocket,
    private readonly host: string,
    private readonly port: number,
    frames: Framer,
  ) {
    super(frames);
    socket.on("message", (datagram: Buffer) => this.receive(datagram));
  }

  send(frame: Buffer): void {
    if (!this.events.closed) this.socket.send(frame, this.port, this.host);
  }
  close(): void {
    if (this.events.closed) return;
    this.socket.close();
    this.events.fireClose();
  }
}

/** The source address of each transport's sockets; absent: the system's choice. */
export interface SourceAddress {
  tcp?: string | undefined;
  udp?: string | undefined;
}

/**
 * Real TCP and UDP sockets. `source` picks the source address per transport (a farm spreads its devices' UDP
 * sockets over several 127.0.0.x: each binds a port of its own, and one address has only the ephemeral range).
 */
export function socketConnector(
  maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
  source: SourceAddress = {},
): Connector {
  return framedConnector({ tcp: crlfFramer(maxFrameLength), udp: ctsDatagramFramer(), source });
}

export interface FramedConnectorOptions {
  /** How a TCP byte stream splits into frames: a framer that copies what it keeps and returns (see `Framer`). */
  tcp: FramerFactory;
  /** How a datagram becomes frames. */
  udp: FramerFactory;
  source?: SourceAddress;
}

/** Real TCP and UDP sockets with the framing of an interface (CTS lines; binary datagrams). */
export function framedConnector(options: FramedConnectorOptions): Connector {
  return {
    open: (transport, address) =>
      transport === "tcp"
        ? tcpLink(address, options.tcp, options.source?.tcp)
        : udpLink(address, options.udp, options.source?.udp),
  };
}
