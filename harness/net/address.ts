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
