import { createSocket } from "node:dgram";
import type { Clock, Timer } from "../../../harness/clock/index.ts";

/** Socket helpers of the live fuzz: deadlines on the injected clock, addresses, a second loopback source. */

/**
 * Rejects after `ms` on `clock` (a deadline, not a sleep: the promise settles as soon as its answer arrives, and
 * the timer, named `what`, is cancelled then).
 */
export function within<T>(clock: Clock, promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms, what);
  });
  return Promise.race([promise, deadline]).finally(() => timer?.cancel());
}

/** `host:port` or `[v6]:port` to `[host, port]`. */
export function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at).replace(/^\[|\]$/g, ""), Number(address.slice(at + 1))];
}

/** A frame as written (with its CRLF) to its line, as a replay needs it. */
export const lineOf = (raw: Uint8Array) => Buffer.from(raw.subarray(0, raw.length - 2));

/** 127.0.0.2 where the loopback takes it (Linux), else 127.0.0.1. */
export async function loopbackSource(): Promise<string> {
  const probe = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.bind(0, "127.0.0.2", () => resolve());
    });
    return "127.0.0.2";
  } catch {
    return "127.0.0.1";
  } finally {
    probe.close();
  }
}
