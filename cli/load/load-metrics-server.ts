import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Gauge, Registry } from "prom-client";
import { loadLatencyKinds } from "../../emulators/farm/load-report.ts";
import { hostPort } from "../../harness/net/address.ts";
import type { FarmState } from "./coordinator.ts";

/** Scrapers connected at once: more are closed as they come. */
export const LOAD_METRICS_MAX_CONNECTIONS = 64;

/** `/metrics` for Prometheus while a load run goes: the merged figures of every worker as of the last second. */
export class LoadMetricsServer {
  readonly registry = new Registry();
  private readonly server: Server;
  private latest: FarmState | undefined;
  private readonly devices = new Gauge({
    name: "hilfarm_load_devices",
    help: "Devices in the fleet",
    registers: [this.registry],
  });
  private readonly online = new Gauge({
    name: "hilfarm_load_devices_online",
    help: "Devices online, as their workers see them",
    registers: [this.registry],
  });
  private readonly workers = new Gauge({
    name: "hilfarm_load_workers",
    help: "Workers by state",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  private readonly latency = new Gauge({
    name: "hilfarm_load_latency_ms",
    help: "Round trips so far (merged HDR histograms), by kind and quantile; kinds farm-delay and timer-late are the farm's own timing",
    labelNames: ["kind", "quantile"] as const,
    registers: [this.registry],
  });
  private readonly roundTrips = new Gauge({
    name: "hilfarm_load_round_trips",
    help: "Round trips measured so far, by kind (farm-delay and timer-late: samples of the farm's own timing)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly errors = new Gauge({
    name: "hilfarm_load_errors",
    help: "Errors so far, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly frames = new Gauge({
    name: "hilfarm_load_frames",
    help: "Frames so far, by direction as the devices see it",
    labelNames: ["direction"] as const,
    registers: [this.registry],
  });

  constructor() {
    // Bounded as the platform's API is: a scraper that never sends its headers, or many at once, hold nothing long.
    this.server = createServer(
      { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 },
      (request, response) => {
        if (request.url !== "/metrics") {
          response
            .writeHead(404, { "content-type": "text/plain" })
            .end("hilfarm load serves /metrics only\n");
          return;
        }
        if (this.latest !== undefined) this.apply(this.latest);
        this.registry.metrics().then(
          (text) => response.writeHead(200, { "content-type": this.registry.contentType }).end(text),
          () => response.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
        );
      },
    );
    this.server.maxConnections = LOAD_METRICS_MAX_CONNECTIONS;
    // A failed accept (no descriptor left) must not end the run: the scraper tries again.
    this.server.on("error", () => undefined);
  }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${hostPort(host, address.port)}/metrics`;
  }

  /** The figures `/metrics` shows from now on (read from it when scraped: the merge of every histogram costs). */
  update(state: FarmState): void {
    this.latest = state;
  }

  private apply(state: FarmState): void {
    this.devices.set(state.devices);
    this.online.set(state.online);
    this.workers.set({ state: "live" }, state.liveWorkers);
    this.workers.set({ state: "lost" }, state.lostWorkers);
    for (const kind of loadLatencyKinds) {
      this.roundTrips.set({ kind }, state.latencies.count(kind));
      if (state.latencies.count(kind) === 0) continue;
      for (const q of [50, 90, 99, 99.9])
        this.latency.set({ kind, quantile: String(q / 100) }, state.latencies.percentile(kind, q));
    }
    for (const [kind, n] of Object.entries(state.errors)) this.errors.set({ kind }, n);
    this.frames.set({ direction: "out" }, state.framesOut);
    this.frames.set({ direction: "in" }, state.framesIn);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
