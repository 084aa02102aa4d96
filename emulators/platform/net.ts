import type { Socket as UdpSocket } from "node:dgram";
import type { AddressInfo, Server, Socket } from "node:net";
import { HilfarmError } from "../../harness/errors.ts";
import { hostPort } from "../../harness/net/address.ts";

export const isWildcard = (host: string) => host === "0.0.0.0" || host === "::";

/** 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and localhost: only this machine reaches them. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Sends the answer that ends a connection's use (a 1003, or a stored 1005 on a new connection) and closes the
 * connection once it is written, whether or not the device closes its side: an answer holds no place
 * (docs/protocol-readings.md, "Replays"; either side may close, 5.4.2 (3)). The kernel still delivers it.
 */
export function answerAndClose(socket: Socket, answer: Uint8Array): void {
  socket.end(answer, () => socket.destroy());
}

/**
 * Pending connections the kernel may queue for a listener (it caps this at `net.core.somaxconn`). Node's default,
 * 511, overflows when a fleet ramps at thousands of logins a second: the kernel then drops SYNs, and each dropped
 * device waits 1, 3 or 7 s for its SYN to be resent, which shows as a login time that is not the platform's.
 */
export const LISTEN_BACKLOG = 65_535;

/**
 * Listens. An error while listening rejects; a later one (an accept that failed: no descriptor left) goes to
 * `onError`, since an 'error' event with no listener would end the process.
 */
export function listenTcp(
  server: Server,
  port: number,
  host: string,
  onError: (error: NodeJS.ErrnoException) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new HilfarmError("LISTEN", `cannot listen on tcp ${hostPort(host, port)}: ${error.message}`));
    server.once("error", failed);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", failed);
      server.on("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Binds a UDP socket; an error while binding rejects. */
export function bindUdp(socket: UdpSocket, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once("error", (error) =>
      reject(new HilfarmError("LISTEN", `cannot listen on udp ${hostPort(host, port)}: ${error.message}`)),
    );
    socket.bind(port, host, () => resolve(socket.address().port));
  });
}

/** Resolves once a TCP server or a UDP socket is closed, whatever its close says. */
export const closeListener = (listener: { close(callback: () => void): unknown }) =>
  new Promise<void>((resolve) => listener.close(() => resolve()));
