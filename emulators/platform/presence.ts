import type { Clock } from "../../harness/clock/clock.ts";
import type { Fanout } from "./fanout/index.ts";
import type { PlatformMetrics } from "./metrics.ts";
import type { StateStore } from "./state-store.ts";

/** Devices coming online and going offline: the state store, the `online` gauge and the fan-out agree on it. */
export class Presence {
  constructor(
    private readonly store: StateStore,
    private readonly metrics: PlatformMetrics,
    private readonly fanout: Pick<Fanout, "publish">,
    private readonly clock: Clock,
  ) {}

  /** Sets the `online` gauge from the store, after a change the store has already taken. */
  recount(): void {
    this.metrics.online.set(this.store.onlineCount());
  }

  setOnline(deviceId: string, online: boolean, transport?: "tcp" | "udp"): void {
    const now = this.clock.now();
    if (this.store.setOnline(deviceId, online, now, transport)) {
      this.fanout.publish(deviceId, "online", { online, at: now });
      this.recount();
    }
  }

  /** A sub-device its gateway no longer has: unbound, and offline. */
  markUnbound(deviceId: string): void {
    this.store.setUnbound(deviceId, true);
    this.fanout.publish(deviceId, "online", { online: false, unbound: true, at: this.clock.now() });
    this.recount();
  }
}
