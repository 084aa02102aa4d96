import type { Socket } from "node:net";
import type { RateLimitedWarning } from "./guard.ts";
import type { PlatformLimits } from "./limits.ts";
import type { PlatformMetrics } from "./metrics.ts";

export type RefusalReason = "total" | "pending" | "pending_per_address" | "accept_failed";

/** A connection let in: pending until `established()`; its place is given back when the socket closes. */
export interface Admitted {
  established(): void;
}

/**
 * Admission of TCP connections on the device ports (login and connection servers), shared by all of them: caps
 * below the descriptor limit, so that a flood of connections that never log in can hold neither every descriptor
 * nor every pending place, and logins from other addresses and the HTTP API keep working.
 */
export class ConnectionAdmission {
  private open = 0;
  private pending = 0;
  private readonly pendingByAddress = new Map<string, number>();

  constructor(
    private readonly limits: Pick<
      PlatformLimits,
      "maxConnections" | "maxPendingConnections" | "maxPendingPerAddress"
    >,
    private readonly metrics: PlatformMetrics,
    private readonly warnings: RateLimitedWarning,
  ) {
    metrics.countConnectionsWith(() => ({ pending: this.pending, session: this.open - this.pending }));
  }

  /** Lets `socket` in, or closes it at once (counted and warned about) and returns undefined. */
  admit(socket: Socket): Admitted | undefined {
    const address = socket.remoteAddress ?? "unknown";
    const fromAddress = this.pendingByAddress.get(address) ?? 0;
    const refusal: RefusalReason | undefined =
      this.open >= this.limits.maxConnections
        ? "total"
        : this.pending >= this.limits.maxPendingConnections
          ? "pending"
          : fromAddress >= this.limits.maxPendingPerAddress
            ? "pending_per_address"
            : undefined;
    if (refusal !== undefined) {
      this.refuse(refusal, { remote: address });
      socket.on("error", () => undefined);
      socket.destroy();
      return undefined;
    }
    this.open++;
    this.pending++;
    this.pendingByAddress.set(address, fromAddress + 1);
    let isPending = true;
    const leavePending = () => {
      if (!isPending) return;
      isPending = false;
      this.pending--;
      const left = (this.pendingByAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.pendingByAddress.delete(address);
      else this.pendingByAddress.set(address, left);
    };
    socket.once("close", () => {
      leavePending();
      this.open--;
    });
    return { established: leavePending };
  }

  /**
   * The handler for a listening server's later 'error' events: accepts that failed (EMFILE, ENFILE: no descriptor
   * left), which Node reports on the server and which would end the process without a listener.
   */
  acceptFailed(server: string): (error: NodeJS.ErrnoException) => void {
    return (error) => this.refuse("accept_failed", { server, errno: error.code });
  }

  private refuse(reason: RefusalReason, fields: Record<string, unknown>): void {
    this.metrics.connectionsRefused.inc({ reason });
    this.warnings.warn(
      `admission/${reason}`,
      { reason, ...fields, ...this.limits, open: this.open, pending: this.pending },
      reason === "accept_failed"
        ? "connection not accepted: no file descriptor left"
        : "connection refused: a connection cap was reached",
    );
  }
}
