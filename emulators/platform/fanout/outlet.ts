import { type Fanout, type FanoutKind, nullFanout } from "./fanout.ts";

/**
 * The fan-out the platform publishes to: the broker once connected (`connect`), and any other target added beside it
 * (`add`: the push sender); nothing again once closed.
 */
export class FanoutOutlet implements Fanout {
  private target: Fanout = nullFanout;
  private readonly added = new Set<Fanout>();

  publish(deviceId: string, kind: FanoutKind, payload: unknown): void {
    this.target.publish(deviceId, kind, payload);
    for (const target of this.added) target.publish(deviceId, kind, payload);
  }

  connect(target: Fanout): void {
    this.target = target;
  }

  /** Another target, in the order added; the function returned takes it off (its owner closes it). */
  add(target: Fanout): () => void {
    this.added.add(target);
    return () => {
      this.added.delete(target);
    };
  }

  /** Closes the connected target; added targets are taken off, their owners close them. */
  async close(): Promise<void> {
    const target = this.target;
    this.target = nullFanout;
    this.added.clear();
    await target.close();
  }
}
