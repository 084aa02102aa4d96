import { Counter, type Registry } from "prom-client";

/** One label or two. */
type LabelNames = readonly [string] | readonly [string, string];

/**
 * A Prometheus counter on the frame and login paths (frames in and out, requests by code, logins, connects, sessions
 * ended): counted in plain numbers, one per combination of label values, and handed to prom-client when the registry
 * is read. prom-client's own `inc` with labels checks the labels and hashes them (sorting their names) on every call,
 * several times per heartbeat round trip and per login. One label or two.
 * The tallies are the state: `registry.resetMetrics()` does not clear them.
 */
export class TalliedCounter<Names extends LabelNames = LabelNames> {
  private readonly tallies = new Map<string, { values: readonly string[]; count: number }>();
  private readonly counter: Counter<Names[number]>;
  /** How many labels, for the type of `inc` only (no field at run time). */
  declare readonly labelCount: Names["length"];

  constructor(config: { name: string; help: string; labelNames: Names; registry: Registry }) {
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
          const labels: Record<string, string | undefined> = {};
          names.forEach((name, i) => {
            labels[name] = values[i];
          });
          this.inc(labels, count);
        }
      },
    });
  }

  /**
   * One more for these label values, as many as `labelNames` and in its order (the type holds the count; the values
   * are arguments, not an array, so that no array is made per frame).
   */
  inc(this: TalliedCounter<readonly [string]>, value: string): void;
  inc(this: TalliedCounter<readonly [string, string]>, first: string, second: string): void;
  inc(first: string, second?: string): void {
    // A label value of the spec's codes, reasons or errnos never holds a NUL.
    const key = second === undefined ? first : `${first}\0${second}`;
    const tally = this.tallies.get(key);
    if (tally === undefined)
      this.tallies.set(key, { values: second === undefined ? [first] : [first, second], count: 1 });
    else tally.count++;
  }

  /** The counter's values as prom-client reads them (the tallies so far). */
  get(): ReturnType<Counter<Names[number]>["get"]> {
    return this.counter.get();
  }
}
