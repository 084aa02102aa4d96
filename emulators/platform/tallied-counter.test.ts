import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { PlatformMetrics } from "./metrics.ts";
import { TalliedCounter } from "./tallied-counter.ts";

describe("TalliedCounter", () => {
  it("reads in the registry as a counter by label value, each read the total so far", async () => {
    const registry = new Registry();
    const frames = new TalliedCounter({
      name: "frames_total",
      help: "Frames",
      labelNames: ["transport"],
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

  it("tallies each combination of several labels apart, values in the order of the label names", async () => {
    const registry = new Registry();
    const connects = new TalliedCounter({
      name: "connects_total",
      help: "Connects",
      labelNames: ["transport", "outcome"],
      registry,
    });
    connects.inc("udp", "ok");
    connects.inc("udp", "ok");
    connects.inc("tcp", "ok");
    connects.inc("udp", "bad_token");
    const text = await registry.metrics();
    expect(text).toMatch(/^connects_total\{transport="udp",outcome="ok"\} 2$/m);
    expect(text).toMatch(/^connects_total\{transport="tcp",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^connects_total\{transport="udp",outcome="bad_token"\} 1$/m);
    expect((await connects.get()).values.map((v) => [v.labels, v.value])).toEqual([
      [{ transport: "udp", outcome: "ok" }, 2],
      [{ transport: "tcp", outcome: "ok" }, 1],
      [{ transport: "udp", outcome: "bad_token" }, 1],
    ]);
  });

  it("takes as many label values as the counter has labels: the type check (tsc, in CI) refuses one too few or too many", async () => {
    const metrics = new PlatformMetrics();
    // Never called: its calls are there for the type check, which fails if either is accepted.
    const miscounted = () => {
      // @ts-expect-error one value for the two labels of connects (transport, outcome)
      metrics.connects.inc("udp");
      // @ts-expect-error two values for the one label of logins (outcome)
      metrics.logins.inc("ok", "udp");
    };
    metrics.connects.inc("udp", "ok");
    metrics.logins.inc("ok");
    const text = await metrics.text();
    expect(text).toMatch(/^hilfarm_platform_connects_total\{transport="udp",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^hilfarm_platform_logins_total\{outcome="ok"\} 1$/m);
    expect(miscounted).toBeTypeOf("function");
  });
});
