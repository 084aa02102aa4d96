import { describe, expect, it } from "vitest";
import { RequestLane } from "./request-lane.ts";

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("request lane: one request of a side at a time", () => {
  it("starts each task once the one before has settled, in the order queued", async () => {
    const lane = new RequestLane();
    const log: string[] = [];
    const gates: Array<() => void> = [];
    const task = (name: string) => () => {
      log.push(`start ${name}`);
      return new Promise<string>((resolve) => gates.push(() => resolve(name)));
    };
    const a = lane.run(task("a"));
    const b = lane.run(task("b"));
    await settle();
    expect(log).toEqual(["start a"]);
    gates.shift()?.();
    expect(await a).toBe("a");
    await settle();
    expect(log).toEqual(["start a", "start b"]);
    gates.shift()?.();
    expect(await b).toBe("b");
  });

  it("a task that fails, or throws, does not hold up the next", async () => {
    const lane = new RequestLane();
    const failed = lane.run(() => Promise.reject(new Error("abandoned")));
    const threw = lane.run(() => {
      throw new Error("no link");
    });
    const next = lane.run(async () => "sent");
    await expect(failed).rejects.toThrow("abandoned");
    await expect(threw).rejects.toThrow("no link");
    expect(await next).toBe("sent");
  });
});
