import { Counter, Gauge, type Registry } from "prom-client";

/** The push sender's metrics, on the platform's registry (`/metrics`), by receiver URL. */
export class PushMetrics {
  readonly pushes: Counter<"receiver" | "answer">;
  readonly dropped: Counter<"receiver" | "reason">;
  readonly suspended: Gauge<"receiver">;

  constructor(registry: Registry) {
    this.pushes = new Counter({
      name: "hilfarm_platform_pushes_total",
      help: "Message pushes sent, by receiver and answer: normal, abnormal (an HTTP error, an answer out of the format, none in time)",
      labelNames: ["receiver", "answer"] as const,
      registers: [registry],
    });
    this.dropped = new Counter({
      name: "hilfarm_platform_pushes_dropped_total",
      help: "Messages never pushed, by receiver and reason: queue_full, suspended, expired (kept 12 h, cloud policy)",
      labelNames: ["receiver", "reason"] as const,
      registers: [registry],
    });
    this.suspended = new Gauge({
      name: "hilfarm_platform_push_receiver_suspended",
      help: "1 while the sender has stopped pushing to the receiver after abnormal answers, until resumed",
      labelNames: ["receiver"] as const,
      registers: [registry],
    });
  }
}
