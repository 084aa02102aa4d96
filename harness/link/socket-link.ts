import { createSocket } from "node:dgram";
import { connect, isIPv6 } from "node:net";
import { UsageError, type WireError } from "../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../protocol/cts/envelope.ts";
import { crlfFramer, ctsDatagramFramer, type FramerFactory } from "./framer.ts";
import { LinkEvents } from "./link-events.ts";

/**
 * A device's connection to a platform server, seen as frame lines: TCP split on CRLF, UDP one frame per datagram.
 * `close()` is idempotent; `onClose` fires once, whoever closed.
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

function tcpLink(address: string, framer: FramerFactory, localAddress?: string): Promise<Link> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      noDelay: true,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    const listeners = new LinkEvents();
    const frames = framer();
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      resolve({
        transport: "tcp",
        send: (frame) => {
          if (!socket.destroyed) socket.write(frame);
        },
        close: () => socket.destroy(),
        onLine: (l) => listeners.line.push(l),
        onBadFrame: (l) => listeners.bad.push(l),
        onClose: (l) => listeners.addClose(l),
      });
    });
    socket.on("data", (chunk: Buffer) => {
      for (const outcome of frames.push(chunk)) {
        if (outcome.ok) listeners.deliver(listeners.line, outcome.frame, () => socket.destroy());
        else listeners.deliver(listeners.bad, outcome.error, () => socket.destroy());
      }
    });
    socket.on("close", () => listeners.fireClose());
  });
}

function udpLink(address: string, framer: FramerFactory, localAddress?: string): Promise<Link> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    const listeners = new LinkEvents();
    const frames = framer();
    const drop = () => {
      if (listeners.closed) return;
      socket.close();
      listeners.fireClose();
    };
    // A bind that fails (no free port, an address not this machine's) leaves the socket open: close it.
    const failed = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once("error", failed);
    socket.bind(0, localAddress, () => {
      socket.off("error", failed);
      socket.on("error", () => undefined);
      resolve({
        transport: "udp",
        send: (frame) => {
          if (!listeners.closed) socket.send(frame, port, host);
        },
        close: () => {
          if (listeners.closed) return;
          socket.close();
          listeners.fireClose();
        },
        onLine: (l) => listeners.line.push(l),
        onBadFrame: (l) => listeners.bad.push(l),
        onClose: (l) => listeners.addClose(l),
      });
    });
    socket.on("message", (datagram: Buffer) => {
      for (const outcome of frames.push(datagram)) {
        if (outcome.ok) listeners.deliver(listeners.line, outcome.frame, drop);
        else listeners.deliver(listeners.bad, outcome.error, drop);
      }
    });
  });
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
  /** How a TCP byte stream splits into frames. */
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
