import { createSocket } from "node:dgram";
import { connect, isIPv6 } from "node:net";
import { WireError } from "../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../protocol/cts/envelope.ts";
import { FrameSplitter } from "../protocol/cts/frame-splitter.ts";

/**
 * A device's connection to a platform server, seen as frame lines: TCP split on CRLF, UDP one frame per datagram.
 * `close()` is idempotent; `onClose` fires once, whoever closed.
 */
export interface DeviceLink {
  readonly transport: "tcp" | "udp";
  send(frame: Buffer): void;
  close(): void;
  onLine(listener: (line: Buffer) => void): void;
  onBadFrame(listener: (error: WireError) => void): void;
  onClose(listener: () => void): void;
}

/** Opens links; scenarios wrap it to inject faults, real devices use `socketConnector`. */
export interface Connector {
  open(transport: "tcp" | "udp", address: string): Promise<DeviceLink>;
}

export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new WireError("BAD_ENVELOPE", `not a host:port address: ${JSON.stringify(address)}`);
  }
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ""), port };
}

class Listeners {
  line: Array<(line: Buffer) => void> = [];
  bad: Array<(error: WireError) => void> = [];
  close: Array<() => void> = [];
  closed = false;
  /**
   * Runs one listener from a socket callback. A listener that throws there would take the whole process down, so
   * the error is reported as a process warning and the link is dropped, as a device drops a connection it cannot use.
   */
  deliver<A>(listeners: Array<(arg: A) => void>, arg: A, drop: () => void): void {
    for (const l of listeners) {
      try {
        l(arg);
      } catch (error) {
        process.emitWarning(
          `hilfarm link listener failed, link dropped: ${error instanceof Error ? error.message : String(error)}`,
        );
        drop();
        return;
      }
    }
  }
  fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deliver(this.close, undefined, () => undefined);
  }
}

function tcpLink(address: string, maxFrameLength: number, localAddress?: string): Promise<DeviceLink> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      noDelay: true,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    const listeners = new Listeners();
    const splitter = new FrameSplitter(maxFrameLength);
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
        onClose: (l) => listeners.close.push(l),
      });
    });
    socket.on("data", (chunk: Buffer) => {
      for (const outcome of splitter.push(chunk)) {
        if (outcome.ok) listeners.deliver(listeners.line, outcome.line, () => socket.destroy());
        else listeners.deliver(listeners.bad, outcome.error, () => socket.destroy());
      }
    });
    socket.on("close", () => listeners.fireClose());
  });
}

function udpLink(address: string, localAddress?: string): Promise<DeviceLink> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    const listeners = new Listeners();
    socket.once("error", reject);
    socket.bind(0, localAddress, () => {
      socket.off("error", reject);
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
        onClose: (l) => listeners.close.push(l),
      });
    });
    socket.on("message", (datagram: Buffer) => {
      // Each datagram carries exactly one frame; its CRLF is optional.
      const crlf =
        datagram.length >= 2 &&
        datagram[datagram.length - 2] === 0x0d &&
        datagram[datagram.length - 1] === 0x0a;
      const line = crlf ? datagram.subarray(0, -2) : datagram;
      listeners.deliver(listeners.line, line, () => {
        if (listeners.closed) return;
        socket.close();
        listeners.fireClose();
      });
    });
  });
}

/**
 * Real TCP and UDP sockets. `localAddress` picks the source address (a farm spreads its devices over several
 * 127.0.0.x: one source address reaches one `ip:port` with at most the ephemeral port range).
 */
export function socketConnector(
  maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
  localAddress?: string,
): Connector {
  return {
    open: (transport, address) =>
      transport === "tcp" ? tcpLink(address, maxFrameLength, localAddress) : udpLink(address, localAddress),
  };
}
