import { createSocket, type RemoteInfo } from "node:dgram";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { splitAddress } from "../../harness/link/socket-link.ts";
import { isIPv6Literal } from "../../harness/net/address.ts";
import {
  DEFAULT_FLAG_ORDER,
  decodeSearchResponse,
  encodeSearchRequest,
  type FlagOrder,
  type SearchResponse,
} from "../../harness/protocol/md/discovery.ts";

/** 6.2.1: the port a device listens on for searches. */
export const MD_DISCOVERY_PORT = 7680;

export interface DiscoveryOptions {
  /** Devices to ask by unicast, `host:port` (tests and labs that know their addresses). */
  targets?: readonly string[];
  /** Broadcast to 255.255.255.255 on `port` as well (a lab's LAN). */
  broadcast?: boolean;
  port?: number;
  /** The model searched for; none: every model. */
  model?: string;
  /** How long answers are awaited. Default 1 s. */
  timeoutMs?: number;
  /** 0: the CT cloud (6.2.1 `platform`). */
  platform?: number;
  flagOrder?: FlagOrder;
  clock?: Clock;
  /** Every datagram that arrives, as it came, before it is decoded (a suite's record of what a device said). */
  onDatagram?: (datagram: Buffer, address: string) => void;
}

export interface FoundDevice extends SearchResponse {
  /** `host:port` the answer came from. */
  address: string;
}

export interface BadAnswer {
  address: string;
  code: string;
  reason: string;
}

export interface DiscoveryResult {
  found: FoundDevice[];
  bad: BadAnswer[];
}

const hostPort = (info: RemoteInfo) =>
  info.family === "IPv6" ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;

/**
 * The phone app's search (6.2.1): one `data_search` to each target (and a broadcast when asked), then every answer
 * that arrives within the timeout (by unicast: until every target answered), decoded; answers that are not
 * well-formed structs are reported, not dropped. A target that stays silent (another model) costs the timeout.
 */
export async function discoverDevices(options: DiscoveryOptions): Promise<DiscoveryResult> {
  const clock = options.clock ?? new RealClock();
  const targets = (options.targets ?? []).map((target) => splitAddress(target));
  const ipv6 = targets.length > 0 && targets.every((t) => isIPv6Literal(t.host));
  const socket = createSocket(ipv6 ? "udp6" : "udp4");
  const result: DiscoveryResult = { found: [], bad: [] };
  // Unicast only: done as soon as every target has answered.
  const waitingFor = options.broadcast === true ? undefined : new Set(options.targets);
  let allAnswered: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });
  socket.on("message", (datagram: Buffer, from: RemoteInfo) => {
    const decoded = decodeSearchResponse(datagram, options.flagOrder ?? DEFAULT_FLAG_ORDER);
    const address = hostPort(from);
    options.onDatagram?.(datagram, address);
    if (decoded.ok) result.found.push({ ...decoded.value, address });
    else result.bad.push({ address, code: decoded.error.code, reason: decoded.error.message });
    waitingFor?.delete(address);
    if (waitingFor?.size === 0) allAnswered();
  });
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  try {
    const search = encodeSearchRequest({
      model: options.model ?? "",
      timestamp: unixSeconds(clock),
      platform: options.platform ?? 0,
    });
    if (options.broadcast === true) {
      socket.setBroadcast(true);
      socket.send(search, options.port ?? MD_DISCOVERY_PORT, "255.255.255.255");
    }
    for (const { host, port } of targets) socket.send(search, port, host);
    let timer: Timer | undefined;
    await Promise.race([
      answered,
      new Promise<void>((resolve) => {
        timer = clock.setTimeout(resolve, options.timeoutMs ?? 1000, "lan-discovery");
      }),
    ]);
    timer?.cancel();
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return result;
}
