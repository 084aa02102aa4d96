import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { TalliedCounter } from "./tallied-counter.ts";

/** Upper bounds (ms) of the platform's own-delay buckets. */
export const OWN_DELAY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/** The platform's Prometheus metrics, on a registry of its own (several platforms may share a process). */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly logins = new TalliedCounter({
    name: "hilfarm_platform_logins_total",
    help: "Logins (1002) by outcome: ok, unknown_device, wrong_pin, device_id_mismatch, bad_frame",
    labelNames: ["outcome"],
    registry: this.registry,
  });
  readonly connects = new TalliedCounter({
    name: "hilfarm_platform_connects_total",
    help: "Connects (1004) by transport and outcome: ok, bad_token",
    labelNames: ["transport", "outcome"],
    registry: this.registry,
  });
  readonly online = new Gauge({
    name: "hilfarm_platform_online_devices",
    help: "Devices and sub-devices online",
    registers: [this.registry],
  });
  readonly framesIn = new TalliedCounter({
    name: "hilfarm_platform_frames_in_total",
    help: "Valid frames received, by transport",
    labelNames: ["transport"],
    registry: this.registry,
  });
  readonly requests = new TalliedCounter({
    name: "hilfarm_platform_requests_total",
    help: "Valid frames received, by message code (1000 heartbeats, 2006 state reports, ...)",
    labelNames: ["code"],
    registry: this.registry,
  });
  readonly framesOut = new TalliedCounter({
    name: "hilfarm_platform_frames_out_total",
    help: "Frames sent, by transport",
    labelNames: ["transport"],
    registry: this.registry,
  });
  readonly framesDropped = new TalliedCounter({
    name: "hilfarm_platform_frames_dropped_total",
    help: "Frames dropped silently (5.2.2 item 6), by reason: the decoder's error code, or UNKNOWN_TOKEN",
    labelNames: ["reason"],
    registry: this.registry,
  });
  readonly resends = new Counter({
    name: "hilfarm_platform_resends_total",
    help: "Platform requests resent after the 10 s response timeout",
    registers: [this.registry],
  });
  readonly sessionsEnded = new TalliedCounter({
    name: "hilfarm_platform_sessions_ended_total",
    help: "Sessions ended, by reason: offline, failed-sends, replaced, closed, stopped",
    labelNames: ["reason"],
    registry: this.registry,
  });

  readonly handlerErrors = new Counter({
    name: "hilfarm_platform_handler_errors_total",
    help: "Input handlers that threw, by surface (login, tcp, udp, http): the connection or datagram was dropped",
    labelNames: ["surface"] as const,
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: "hilfarm_platform_connections_refused_total",
    help: "TCP connections on the device ports closed at once, by reason: total, pending, pending_per_address (a cap was reached), accept_failed (no descriptor left)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly sendErrors = new Counter({
    name: "hilfarm_platform_send_errors_total",
    help: "Frames the platform could not send, by transport and errno (a datagram too long, no route): lost as on the wire",
    labelNames: ["transport", "errno"] as const,
    registers: [this.registry],
  });
  /** What `hilfarm_platform_connections_open` reads (`countConnectionsWith`). */
  private openConnections: () => { pending: number; session: number } = () => ({ pending: 0, session: 0 });
  // Read when the registry is read: setting it on every accept and close cost a label hash each time.
  readonly connectionsOpen = new Gauge({
    name: "hilfarm_platform_connections_open",
    help: "TCP connections held on the device ports, by state: pending (not yet logged in or connected), session",
    labelNames: ["state"] as const,
    registers: [this.registry],
    collect: () => {
      const { pending, session } = this.openConnections();
      this.connectionsOpen.set({ state: "pending" }, pending);
      this.connectionsOpen.set({ state: "session" }, session);
    },
  });
  readonly httpErrors = new Counter({
    name: "hilfarm_platform_http_errors_total",
    help: "HTTP requests whose handler failed unexpectedly (a platform bug, answered without details), by status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly httpRefused = new Counter({
    name: "hilfarm_platform_http_refused_total",
    help: "HTTP requests refused before their handler ran, by reason: unauthorized, method_not_allowed, body_too_large, too_many_firmware_files, connections",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly ownDelay = new Histogram({
    name: "hilfarm_platform_own_delay_ms",
    help: "How late the platform ran a timer due every 10 ms (hilfarm platform only): its waits for a core, its garbage collections, its bursts; a stall of n periods also counts the samples it hid",
    buckets: OWN_DELAY_BUCKETS_MS,
    registers: [this.registry],
  });

  /** The source of the open-connections gauge: the connection admission that counts them. */
  countConnectionsWith(source: () => { pending: number; session: number }): void {
    this.openConnections = source;
  }

  /** A run of the delay probe `lateMs` late (harness/clock/delay-probe.ts), corrected for coordinated omission. */
  recordOwnDelay(lateMs: number, periodMs: number): void {
    this.ownDelay.observe(lateMs);
    for (let hidden = lateMs - periodMs; hidden >= periodMs; hidden -= periodMs)
      this.ownDelay.observe(hidden);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
