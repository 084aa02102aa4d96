import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { TalliedCounter } from "./tallied-counter.ts";

describe("TalliedCounter", () => {
  it("reads in the registry as a counter by label value, each read the total so far", async () => {
    const registry = new Registry();
    const frames = new TalliedCounter({
      name: "frames_total",
      help: "Frames",
      labelName: "transport",
      registry,
    });
    expect(await registry.metrics()).toMatch(/^# TYPE frames_total counter$/m);
    for (let i = 0; i < 3; i++) frames.inc("tcp");
    frames.inc("udp");
    const first = await registry.metrics();
    expect(first).toMatch(/^frames_total\{transport="tcp"\} 3$/m);
    expect(first).toMatch(/^frames_total\{transport="udp"\} 1$/m);
    expect(await registry.metrics()).toBe(first);
    frames.inc("tcp");
    expect(await registry.metrics()).toMatch(/^frames_total\{transport="tcp"\} 4$/m);
    const metric = await registry.getSingleMetric("frames_total")?.get();
    expect(metric?.values.map((v) => [v.labels.transport, v.value])).toEqual([
      ["tcp", 4],
      ["udp", 1],
    ]);
  });
});
