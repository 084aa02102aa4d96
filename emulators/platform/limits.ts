import { readFileSync } from "node:fs";

/**
 * What the reference platform accepts from the wire before it refuses: connections on its device ports, HTTP bodies
 * and firmware files. Every default stays below what one process can hold, with a reserve for the HTTP API and for
 * logins from addresses that are not flooding.
 */
export interface PlatformLimits {
  /** TCP connections held on the device ports (login and connection servers) at once. */
  maxConnections: number;
  /** Connections that have not yet logged in (login server) or connected (connection servers), in total. */
  maxPendingConnections: number;
  /**
   * Such connections from one source address. Sessions that have connected do not count: a NAT'd lab or a farm puts
   * thousands of devices behind one address.
   */
  maxPendingPerAddress: number;
  /** Connections to the HTTP server at once; one more is closed on accept. */
  maxHttpConnections: number;
  /** Connections to the HTTP API from one source address (a load run's controls take up to 200 at once). */
  maxHttpPerAddress: number;
  /** Bytes of one API request body (firmware uploads excepted): 413 past it, counted as the body is read. */
  maxHttpBodyBytes: number;
  /** Bytes of one firmware file (`PUT /api/firmware/:name`): 413 past it, and nothing is kept. */
  maxFirmwareBytes: number;
  /** Firmware files held at once (uploads and `--firmware-dir`); replacing a name does not count. 409 past it. */
  maxFirmwareFiles: number;
}

/** Descriptors kept free for the HTTP API, logs, files and the MQTT broker: 1,024, or a quarter of a small limit. */
export const descriptorReserve = (descriptors: number) => Math.min(1024, Math.floor(descriptors / 4));

/** The limit, read at the first call: Node gives a process no call to change its own, and a test starts many platforms. */
let readLimit: { descriptors: number | undefined } | undefined;

/** The soft limit on open files of this process (`ulimit -n`), or undefined where it cannot be read. */
export function descriptorLimit(): number | undefined {
  readLimit ??= { descriptors: readDescriptorLimit() };
  return readLimit.descriptors;
}

function readDescriptorLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connections not yet logged in or connected that a platform process holds at once, by default; fewer when its
 * descriptor limit leaves fewer connections.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 8192;

export function defaultLimits(descriptors = descriptorLimit()): PlatformLimits {
  // Where the limit cannot be read (not Linux), the EMFILE guard still holds: a failed accept is counted, not fatal.
  const limit = descriptors ?? 20_000;
  const maxConnections = Math.max(16, limit - descriptorReserve(limit));
  return {
    maxConnections,
    maxPendingConnections: Math.min(DEFAULT_MAX_PENDING_CONNECTIONS, maxConnections),
    maxPendingPerAddress: Math.min(2048, maxConnections),
    maxHttpConnections: 512,
    maxHttpPerAddress: 256,
    maxHttpBodyBytes: 1024 * 1024,
    maxFirmwareBytes: 64 * 1024 * 1024,
    maxFirmwareFiles: 64,
  };
}
