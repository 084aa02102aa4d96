import { Counter, type Registry } from "prom-client";

/**
 * A Prometheus counter of one label, on the frame path (frames in and out, requests by code): counted in plain
 * numbers, one per label value, and handed to prom-client when the registry is read. prom-client's own `inc` with
 * labels builds a key string and checks the labels on every call, several times per heartbeat round trip. The tallies
 * are the state: `registry.resetMetrics()` does not clear them.
 */
export class TalliedCounter {
  private readonly tallies = new Map<string, number>();

  constructor(config: { name: string; help: string; labelName: string; registry: Registry }) {
    const { tallies } = this;
    const label = config.labelName;
    new Counter({
      name: config.name,
      help: config.help,
      labelNames: [label],
      registers: [config.registry],
      collect() {
        this.reset();
        for (const [value, count] of tallies) this.inc({ [label]: value }, count);
      },
    });
  }

  inc(labelValue: string): void {
    this.tallies.set(labelValue, (this.tallies.get(labelValue) ?? 0) + 1);
  }
}
