import { type Fanout, type FanoutKind, nullFanout } from "./fanout.ts";

/** The fan-out the platform publishes to: nothing until a broker is connected, nothing again once closed. */
export class FanoutOutlet implements Fanout {
  private target: Fanout = nullFanout;

  publish(deviceId: string, kind: FanoutKind, payload: unknown): void {
    this.target.publish(deviceId, kind, payload);
  }

  connect(target: Fanout): void {
    this.target = target;
  }

  async close(): Promise<void> {
    const target = this.target;
    this.target = nullFanout;
    await target.close();
  }
}
