import { createSocket, type RemoteInfo } from "node:dgram";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { HilfarmError } from "../errors.ts";
import { hostPort, udpSocketType } from "../net/address.ts";
import type { FramerFactory } from "./framer.ts";
import { LinkEvents } from "./link-events.ts";
import { type Link, splitAddress } from "./socket-link.ts";

/** A link a listener accepted: a TCP connection, or the datagrams of one UDP peer. */
export interface AcceptedLink extends Link {
  /** `host:port` of the other end. */
  readonly remote: string;
}

/**
 * The listening side of links: what a device serving a LAN interface opens (a TCP port for control sessions, a UDP
 * port for discovery), and what a test's stand-in for a platform opens. Frames are cut by the framer given.
 */
export interface LinkListener {
  readonly transport: "tcp" | "udp";
  /** `host:port` it listens on, the port chosen when 0 was asked. */
  readonly address: string;
  onLink(listener: (link: AcceptedLink) => void): void;
  /** Connections or peers turned away because `maxLinks` were open. */
  readonly refused: number;
  /** Stops listening and closes every link it accepted. */
  close(): Promise<void>;
}

export interface ListenOptions {
  framer: FramerFactory;
  /** Links open at once; beyond it a connection is closed at once, a new UDP peer's datagrams dropped. */
  maxLinks?: number;
}

/** A device's LAN side serves a few phones, not a crowd. */
export const DEFAULT_MAX_LINKS = 64;

export function listenLinks(
  transport: "tcp" | "udp",
  address: string,
  options: ListenOptions,
): Promise<LinkListener> {
  return transport === "tcp" ? listenTcp(address, options) : listenUdp(address, options);
}

async function listenTcp(address: string, options: ListenOptions): Promise<LinkListener> {
  const { host, port } = splitAddress(address, { allowPortZero: true });
  const maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
  const accepted: Array<(link: AcceptedLink) => void> = [];
  const open = new Set<Socket>();
  let refused = 0;
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on("error", () => undefined);
    if (open.size >= maxLinks) {
      refused++;
      socket.destroy();
      return;
    }
    open.add(socket);
    const events = new LinkEvents();
    const frames = options.framer();
    const link: AcceptedLink = {
      transport: "tcp",
      remote: hostPort(socket.remoteAddress ?? "?", socket.remotePort ?? 0),
      send: (frame) => {
        if (!socket.destroyed) socket.write(frame);
      },
      close: () => socket.destroy(),
      onLine: (l) => events.addLine(l),
      onBadFrame: (l) => events.addBad(l),
      onClose: (l) => events.addClose(l),
    };
    socket.on("data", (chunk: Buffer) => {
      for (const outcome of frames.push(chunk)) {
        if (outcome.ok) events.deliver(events.line, outcome.frame, link);
        else events.deliver(events.bad, outcome.error, link);
      }
    });
    socket.on("close", () => {
      open.delete(socket);
      events.fireClose();
    });
    events.deliver(accepted, link, link);
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", (error) =>
      reject(new HilfarmError("LISTEN", `cannot listen on tcp ${hostPort(host, port)}: ${error.message}`)),
    );
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      // A failed accept (no descriptor left) must not end the process.
      server.on("error", () => undefined);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    transport: "tcp",
    address: hostPort(host, bound),
    onLink: (l) => accepted.push(l),
    get refused() {
      return refused;
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listenUdp(address: string, options: ListenOptions): Promise<LinkListener> {
  const { host, port } = splitAddress(address, { allowPortZero: true });
  const maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
  const accepted: Array<(link: AcceptedLink) => void> = [];
  const peers = new Map<string, { events: LinkEvents; push: (datagram: Buffer) => void }>();
  let refused = 0;
  let closed = false;
  const socket = createSocket(udpSocketType(host));

  const peerOf = (from: RemoteInfo) => {
    const remote = hostPort(from.address, from.port);
    const known = peers.get(remote);
    if (known !== undefined) return known;
    // A datagram from port 0 cannot be answered.
    if (from.port === 0 || peers.size >= maxLinks) {
      refused++;
      return undefined;
    }
    const events = new LinkEvents();
    const frames = options.framer();
    const drop = () => {
      peers.delete(remote);
      events.fireClose();
    };
    const link: AcceptedLink = {
      transport: "udp",
      remote,
      send: (frame) => {
        // A send that fails (the peer went away) is the same as a lost datagram.
        if (!events.closed && !closed) socket.send(frame, from.port, from.address, () => undefined);
      },
      close: drop,
      onLine: (l) => events.addLine(l),
      onBadFrame: (l) => events.addBad(l),
      onClose: (l) => events.addClose(l),
    };
    const peer = {
      events,
      push: (datagram: Buffer) => {
        for (const outcome of frames.push(datagram)) {
          if (outcome.ok) events.deliver(events.line, outcome.frame, link);
          else events.deliver(events.bad, outcome.error, link);
        }
      },
    };
    peers.set(remote, peer);
    events.deliver(accepted, link, link);
    return events.closed ? undefined : peer;
  };

  socket.on("message", (datagram: Buffer, from: RemoteInfo) => peerOf(from)?.push(datagram));
  const bound = await new Promise<number>((resolve, reject) => {
    socket.once("error", (error) =>
      reject(new HilfarmError("LISTEN", `cannot listen on udp ${hostPort(host, port)}: ${error.message}`)),
    );
    socket.bind(port, host, () => {
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      resolve(socket.address().port);
    });
  });
  return {
    transport: "udp",
    address: hostPort(host, bound),
    onLink: (l) => accepted.push(l),
    get refused() {
      return refused;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const peer of [...peers.values()]) peer.events.fireClose();
      peers.clear();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
