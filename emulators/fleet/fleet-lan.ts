import { isIP } from "node:net";
import { showValue, UsageError } from "../../harness/errors.ts";
import type { FlagOrder } from "../../harness/protocol/md/discovery.ts";
import { LAN_CONTROL_PORT, LAN_DISCOVERY_PORT } from "../device/lan/lan-side.ts";

/**
 * Where a fleet's LAN sides listen. `free`: every device on `host`, on ports the system picks. `standard`: the
 * spec's 7680/7681 (6.1), so each device needs an address of its own: `host` is the first, the next devices take the
 * addresses after it, all within its /24 (127.0.1.1, 127.0.1.2, ... on a loopback that takes all of 127/8).
 */
export interface FleetLanOptions {
  host?: string;
  ports?: "free" | "standard";
  flagOrder?: FlagOrder;
}

export const DEFAULT_LAN_HOST = "127.0.0.1";

export interface LanPlace {
  host: string;
  discoveryPort: number;
  controlPort: number;
}

/** The host and ports of each of `count` devices; throws `UsageError` (field `lan-host`) when they do not fit. */
export function lanPlaces(count: number, options: FleetLanOptions = {}): LanPlace[] {
  const host = options.host ?? DEFAULT_LAN_HOST;
  if (isIP(host) === 0)
    throw new UsageError("lan-host", `LAN host must be an IP address, got ${showValue(host)}`);
  if (options.ports !== "standard")
    return Array.from({ length: count }, () => ({ host, discoveryPort: 0, controlPort: 0 }));
  const octets = host.split(".").map(Number);
  if (isIP(host) !== 4 || octets.length !== 4)
    throw new UsageError(
      "lan-host",
      `standard LAN ports number devices from an IPv4 address, got ${showValue(host)}`,
    );
  const [a, b, c, first] = octets as [number, number, number, number];
  // .0 and .255 of the /24 are its network and broadcast addresses: no device there.
  if (first < 1 || first > 254)
    throw new UsageError(
      "lan-host",
      `standard LAN ports: the first address must end in .1 to .254, got ${host}`,
    );
  const last = first + count - 1;
  if (last > 254) {
    throw new UsageError(
      "lan-host",
      `standard LAN ports give each device its own address: ${count} devices from ${host} would need ` +
        `${a}.${b}.${c}.${first}-${a}.${b}.${c}.${last}, past ${a}.${b}.${c}.254 (at most ${255 - first} from ${host})`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({
    host: `${a}.${b}.${c}.${first + i}`,
    discoveryPort: LAN_DISCOVERY_PORT,
    controlPort: LAN_CONTROL_PORT,
  }));
}
