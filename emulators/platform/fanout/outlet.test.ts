import { describe, expect, it } from "vitest";
import type { Fanout } from "./fanout.ts";
import { FanoutOutlet } from "./outlet.ts";

function recorder(name: string, seen: string[]): Fanout & { closed: boolean } {
  const target = {
    closed: false,
    publish: (deviceId: string, kind: string) => void seen.push(`${name}:${deviceId}/${kind}`),
    close: () => {
      target.closed = true;
      return Promise.resolve();
    },
  };
  return target;
}

describe("FanoutOutlet", () => {
  it("publishes to the connected target and every added one, in order; a removed one gets nothing more", async () => {
    const seen: string[] = [];
    const outlet = new FanoutOutlet();
    outlet.publish("d", "state", {});
    outlet.connect(recorder("broker", seen));
    const remove = outlet.add(recorder("push", seen));
    outlet.publish("d", "online", {});
    remove();
    outlet.publish("d", "event", {});
    expect(seen).toEqual(["broker:d/online", "push:d/online", "broker:d/event"]);
  });

  it("close closes the connected target only and drops the added ones", async () => {
    const seen: string[] = [];
    const outlet = new FanoutOutlet();
    const broker = recorder("broker", seen);
    const push = recorder("push", seen);
    outlet.connect(broker);
    outlet.add(push);
    await outlet.close();
    outlet.publish("d", "state", {});
    expect([broker.closed, push.closed, seen]).toEqual([true, false, []]);
  });
});
