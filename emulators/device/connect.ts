import type { Clock } from "../../harness/clock/clock.ts";
import type { Connector, Link } from "../../harness/link/socket-link.ts";
import type { DeviceTiming, TransportChoice } from "./options.ts";

/** 5.4.2.2: UDP first; TCP once the device has logged in `tcpAfterAuthentications` times since power-on. */
export function chooseTransport(
  choice: TransportChoice | undefined,
  authentications: number,
  timing: DeviceTiming,
): "tcp" | "udp" {
  const forced = choice ?? "auto";
  if (forced !== "auto") return forced;
  return authentications >= timing.tcpAfterAuthentications ? "tcp" : "udp";
}

/**
 * A link that could not be opened because this machine had no local port for it: the source address's port range is
 * used up (by the farm's own sockets or another process's), or the source address is not this machine's
 * (EADDRNOTAVAIL); not the platform's fault.
 */
export function noLocalPort(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "EADDRINUSE" || code === "EADDRNOTAVAIL";
}

/** Opens a link, giving up after `timeoutMs`: a black-holed address must not hang the device. */
export function openWithin(
  connector: Connector,
  clock: Clock,
  transport: "tcp" | "udp",
  address: string,
  timeoutMs: number,
): Promise<Link> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(
      () => {
        settled = true;
        reject(new Error(`no ${transport} connection to ${address} within ${timeoutMs} ms`));
      },
      timeoutMs,
      "open-timeout",
    );
    connector.open(transport, address).then(
      (link) => {
        timer.cancel();
        if (settled) link.close();
        else resolve(link);
      },
      (error: unknown) => {
        timer.cancel();
        if (!settled) reject(error);
      },
    );
  });
}
