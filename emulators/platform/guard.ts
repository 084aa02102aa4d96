import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { PlatformMetrics } from "./metrics.ts";

/** Where input from the wire comes in: the `surface` label of handler errors. */
export type InputPort = "login" | "tcp" | "udp" | "http";

/** Logs a warning at most once per `intervalMs` per key, saying how many were held back since the last one. */
export class RateLimitedWarning {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 60_000,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.clock.now();
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.at < this.intervalMs) {
      entry.held++;
      return;
    }
    this.logger.warn({ ...fields, ...(entry?.held ? { alsoSince: entry.held } : {}) }, message);
    this.last.set(key, { at: now, held: 0 });
  }
}

/**
 * Runs a handler of input from the wire. Whatever the input, a handler that throws must not stop the process: the
 * connection (or datagram) it was serving is dropped, the error is logged (rate-limited) and counted.
 */
export class HandlerGuard {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly warnings: RateLimitedWarning,
  ) {}

  run(surface: InputPort, handle: () => void, drop: () => void): void {
    try {
      handle();
    } catch (error) {
      this.metrics.handlerErrors.inc({ surface });
      this.warnings.warn(`handler/${surface}`, { surface, err: error }, "input handler failed: dropped");
      try {
        drop();
      } catch {
        // Dropping is best effort: the socket may already be gone.
      }
    }
  }
}
