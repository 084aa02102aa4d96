import type { SocketOptions } from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";

/**
 * An IPv6 literal. `isIP` tries IPv4 first: Node's IPv6 pattern is a large regular expression whose first use costs
 * about 9 ms per process (a platform's start in a test), and IPv4 addresses never reach it.
 */
export const isIPv6Literal = (host: string) => isIP(host) === 6;

/** `host:port`, an IPv6 host in brackets. */
export const hostPort = (host: string, port: number) =>
  isIPv6Literal(host) ? `[${host}]:${port}` : `${host}:${port}`;

/** The UDP socket type for datagrams to or from `host`. */
export const udpSocketType = (host: string): "udp4" | "udp6" => (isIPv6Literal(host) ? "udp6" : "udp4");

/**
 * A UDP socket's `lookup` that takes an IP address as it is, at once, and sends a name to `dns.lookup`. Node's dgram
 * looks up a datagram's destination before every send, and `dns.lookup` answers even an IP address on a later tick,
 * with objects of its own: a device sends every heartbeat to the IP address its 1003 gave, and a connection server
 * each answer to the address its datagram came from. With it, a socket's
 * `bind` to an IP address (or to none) and `send` to one finish within the call: the socket's `listening` and
 * `error` handlers must be in place before `bind`.
 */
export const ipFirstLookup: NonNullable<SocketOptions["lookup"]> = (hostname, options, callback) => {
  const family = isIP(hostname);
  if (family === 0) lookup(hostname, options, callback);
  else callback(null, hostname, family);
};
