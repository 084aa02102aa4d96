import { Counter, type Registry } from "prom-client";

/**
 * A Prometheus counter on the frame and login paths (frames in and out, requests by code, logins, connects, sessions
 * ended): counted in plain numbers, one per combination of label values, and handed to prom-client when the registry
 * is read. prom-client's own `inc` with labels checks the labels and hashes them (sorting their names) on every call,
 * several times per heartbeat round trip and per login. One label or two.
 * The tallies are the state: `registry.resetMetrics()` does not clear them.
 */
export class TalliedCounter<Label extends string = string> {
  private readonly tallies = new Map<string, { values: readonly string[]; count: number }>();
  private readonly counter: Counter<Label>;

  constructor(config: {
    name: string;
    help: string;
    labelNames: readonly [Label] | readonly [Label, Label];
    registry: Registry;
  }) {
    const { tallies } = this;
    const names = config.labelNames;
    this.counter = new Counter({
      name: config.name,
      help: config.help,
      labelNames: names,
      registers: [config.registry],
      collect() {
        this.reset();
        for (const { values, count } of tallies.values()) {
          const labels: Partial<Record<Label, string>> = {};
          names.forEach((name, i) => {
            labels[name] = values[i];
          });
          this.inc(labels, count);
        }
      },
    });
  }

  /** One more for these label values, in the order of `labelNames` (one or two: no array made per call). */
  inc(first: string, second?: string): void {
    // A label value of the spec's codes, reasons or errnos never holds a NUL.
    const key = second === undefined ? first : `${first}\0${second}`;
    const tally = this.tallies.get(key);
    if (tally === undefined)
      this.tallies.set(key, { values: second === undefined ? [first] : [first, second], count: 1 });
    else tally.count++;
  }

  /** The counter's values as prom-client reads them (the tallies so far). */
  get(): ReturnType<Counter<Label>["get"]> {
    return this.counter.get();
  }
}
