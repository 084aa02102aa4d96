import { describe, expect, it } from "vitest";
import { withoutCredentials } from "../../harness/link/mqtt-url.ts";
import type { PlannedDevice } from "../fleet/fleet-plan.ts";
import {
  parseFarmMessage,
  ShardAssignmentSchema,
  WorkerSnapshotSchema,
  WorkerStatusSchema,
} from "./farm-messages.ts";
import { platformShares, shardAssignments, splitFleet } from "./farm-shards.ts";
import { LOOPBACK_SOURCES, sourceAddressesFor } from "./farm-worker.ts";
import { LatencyHistograms } from "./latency-histograms.ts";
import { histogramPercentileBound, metricSum } from "./platform-counters.ts";
import type { RampHold } from "./ramp-pacing.ts";
import { plannedDevicesOf } from "./shard-runner.ts";
import { evaluateStop, parseStopCondition } from "./stop-conditions.ts";

const device = (n: number) => ({ deviceId: `d${n}` }) as PlannedDevice;

describe("farm parts", () => {
  it("splits a fleet into contiguous shards that cover it exactly once", () => {
    const devices = Array.from({ length: 10 }, (_, i) => device(i));
    const shards = splitFleet(devices, 3);
    expect(shards.map((s) => s.length)).toEqual([3, 3, 4]);
    expect(shards.flat().map((d) => d.deviceId)).toEqual(devices.map((d) => d.deviceId));
    expect(splitFleet(devices.slice(0, 2), 3).map((s) => s.length)).toEqual([0, 1, 1]);
  });

  it("gives each platform process a run of whole shards, and each shard that platform's login server", () => {
    for (const count of [0, 1, 7, 100])
      for (let shards = 1; shards <= 12; shards++)
        for (let platforms = 1; platforms <= shards; platforms++) {
          const devices = Array.from({ length: count }, (_, i) => ({
            ...device(i),
            subDevices: [],
            misbehaviour: {},
            profileName: "p",
            pin: "1",
          }));
          const logins = Array.from({ length: platforms }, (_, i) => `127.0.0.1:${9000 + i}`);
          const shares = platformShares(devices, shards, platforms);
          const what = `${count} devices, ${shards} shards, ${platforms} platforms`;
          expect(
            shares.flat().map((d) => d.deviceId),
            what,
          ).toEqual(devices.map((d) => d.deviceId));
          const sizes = shares.map((s) => s.length);
          // Whole shards of near-equal size: shares differ by at most one shard (and one device of rounding).
          expect(Math.max(...sizes) - Math.min(...sizes), what).toBeLessThanOrEqual(
            Math.ceil(count / shards) + 1,
          );
          const assignments = shardAssignments({
            runId: "r",
            plan: { seed: 1, transport: "tcp", devices },
            shards,
            loginAddresses: logins,
            profile: { rampPerSecond: 1, churnPerSecond: 0 },
          });
          expect(new Set(assignments.map((a) => a.loginAddress)).size, what).toBe(platforms);
          for (const a of assignments) {
            const platform = logins.indexOf(a.loginAddress);
            const served = new Set(shares[platform]?.map((d) => d.deviceId));
            for (const d of a.devices) expect(served.has(d.deviceId), `${what}: ${d.deviceId}`).toBe(true);
          }
        }
  });

  it("spreads UDP sockets over loopback sources by itself, leaves TCP connects to the system, and uses given sources for both", () => {
    expect(sourceAddressesFor("auto", "127.0.0.1:8700")).toEqual({ tcp: [], udp: LOOPBACK_SOURCES });
    expect(sourceAddressesFor("auto", "192.0.2.10:8700")).toEqual({ tcp: [], udp: [] });
    expect(sourceAddressesFor(["10.0.0.5"], "192.0.2.10:8700")).toEqual({
      tcp: ["10.0.0.5"],
      udp: ["10.0.0.5"],
    });
  });

  it("refuses a farm message that does not parse, naming the field", () => {
    expect(parseFarmMessage(WorkerStatusSchema, Buffer.from("{nope"))).toMatchObject({ ok: false });
    const bad = parseFarmMessage(
      WorkerStatusSchema,
      Buffer.from(JSON.stringify({ workerId: "w", state: "asleep" })),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^state: /);
    const assignment = parseFarmMessage(
      ShardAssignmentSchema,
      Buffer.from(
        JSON.stringify({
          runId: "r",
          shard: 0,
          loginAddress: "127.0.0.1:1",
          transport: "udp",
          seed: 1,
          rampPerSecond: 0,
          churnPerSecond: 0,
          profiles: {},
          devices: [],
        }),
      ),
    );
    expect(assignment.ok).toBe(false);
    if (!assignment.ok) expect(assignment.error).toMatch(/^rampPerSecond: /);
  });

  it("sends the ramp's hold to every shard when the run sets one, and refuses a hold the workers cannot keep", () => {
    const devices = Array.from({ length: 4 }, (_, i) => ({
      ...device(i),
      subDevices: [],
      misbehaviour: {},
      profileName: "p",
      pin: "1",
    }));
    const assign = (rampHold?: RampHold) =>
      shardAssignments({
        runId: "r",
        plan: { seed: 1, transport: "tcp", devices },
        shards: 2,
        loginAddresses: ["127.0.0.1:1"],
        profile: { rampPerSecond: 1, churnPerSecond: 0, ...(rampHold === undefined ? {} : { rampHold }) },
      });
    expect(assign("off").map((a) => a.rampHold)).toEqual(["off", "off"]);
    expect(assign(250).map((a) => a.rampHold)).toEqual([250, 250]);
    expect(assign()[0]).not.toHaveProperty("rampHold");
    const wire = (rampHold: unknown) =>
      parseFarmMessage(ShardAssignmentSchema, Buffer.from(JSON.stringify({ ...assign()[0], rampHold })));
    expect(wire("off")).toMatchObject({ ok: true, value: { rampHold: "off" } });
    for (const bad of [0, 1.5, 60_001, "sometimes"]) {
      const parsed = wire(bad);
      expect(parsed.ok, String(bad)).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^rampHold: /);
    }
  });

  it("refuses a snapshot whose ramp times no Date can hold, naming the field", () => {
    const snapshot = (firstPowerOnAt: number) =>
      parseFarmMessage(
        WorkerSnapshotSchema,
        Buffer.from(
          JSON.stringify({
            ...{ runId: "r", workerId: "w", host: "h", shard: 0, seq: 1, final: false, elapsed: 1 },
            ...{
              devices: 1,
              poweredOn: 1,
              online: 1,
              latencies: {},
              steadyLatencies: {},
              baselineRssBytes: 1,
            },
            ...{ framesOut: 0, framesIn: 0, errors: {}, rssBytes: 1, cpuSeconds: 0, firstPowerOnAt },
          }),
        ),
      );
    expect(snapshot(1_764_918_000_000).ok).toBe(true);
    for (const bad of [-1e16, 1e16, -1, 1.5]) {
      const parsed = snapshot(bad);
      expect(parsed.ok, String(bad)).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^firstPowerOnAt: /);
    }
  });

  it("names a device whose profile the assignment lacks, and a profile that does not validate", () => {
    const base = {
      runId: "r",
      shard: 2,
      loginAddress: "127.0.0.1:1",
      transport: "udp" as const,
      seed: 1,
      rampPerSecond: 1,
      churnPerSecond: 0,
    };
    expect(() =>
      plannedDevicesOf({
        ...base,
        profiles: {},
        devices: [{ deviceId: "d1", pin: "p", profileName: "toaster" }],
      }),
    ).toThrow(/shard 2: device d1: no profile "toaster"/);
    expect(() => plannedDevicesOf({ ...base, profiles: { toaster: { model: 7 } }, devices: [] })).toThrow(
      /shard 2: profile toaster: /,
    );
  });

  it("parses stop conditions and trips them on what the run saw", () => {
    expect(() => parseStopCondition("heartbeat-p98>100")).toThrow(/--stop-on .* got "heartbeat-p98>100"/);
    const hb = parseStopCondition("heartbeat-p99>100");
    const latencies = new LatencyHistograms();
    expect(evaluateStop(hb, { latencies, errors: {}, lostDevices: 0 })).toEqual({
      tripped: false,
      seen: "not measured yet",
    });
    for (let i = 0; i < 98; i++) latencies.record("heartbeat", 5);
    latencies.record("heartbeat", 250);
    latencies.record("heartbeat", 260);
    expect(evaluateStop(hb, { latencies, errors: {}, lostDevices: 0 }).tripped).toBe(true);
    // The farm's own timing stops a run as a round trip does: its timers fired late (timer-late).
    const late = parseStopCondition("timer-late-p99>500");
    expect(late).toMatchObject({ kind: "latency", latency: "timer-late", percentile: 99, aboveMs: 500 });
    for (let i = 0; i < 98; i++) latencies.record("timer-late", 0);
    expect(evaluateStop(late, { latencies, errors: {}, lostDevices: 0 }).tripped).toBe(false);
    latencies.record("timer-late", 900);
    latencies.record("timer-late", 1200);
    expect(evaluateStop(late, { latencies, errors: {}, lostDevices: 0 }).tripped).toBe(true);
    const errors = parseStopCondition("errors>2");
    expect(
      evaluateStop(errors, { latencies, errors: { "churn-power-cycle": 50, resend: 2 }, lostDevices: 0 })
        .tripped,
    ).toBe(false);
    expect(evaluateStop(errors, { latencies, errors: { resend: 3 }, lostDevices: 0 }).tripped).toBe(true);
    expect(
      evaluateStop(parseStopCondition("lost-devices>0"), { latencies, errors: {}, lostDevices: 4 }),
    ).toEqual({ tripped: true, seen: "4 devices lost" });
  });

  it("reads a platform's counters from Prometheus text", () => {
    const text = [
      "# HELP hilfarm_platform_logins_total Logins",
      'hilfarm_platform_logins_total{outcome="ok"} 12',
      'hilfarm_platform_logins_total{outcome="wrong_pin"} 3',
      'hilfarm_platform_requests_total{code="1000"} 40',
      'hilfarm_platform_requests_total{code="10000"} 1',
      'hilfarm_platform_frames_in_total{transport="udp"} 5',
      'hilfarm_platform_frames_in_total{transport="tcp"} 6',
    ].join("\n");
    expect(metricSum(text, "hilfarm_platform_logins_total", { outcome: "ok" })).toBe(12);
    expect(metricSum(text, "hilfarm_platform_logins_total")).toBe(15);
    expect(metricSum(text, "hilfarm_platform_requests_total", { code: "1000" })).toBe(40);
    expect(metricSum(text, "hilfarm_platform_frames_in_total")).toBe(11);
    expect(metricSum(text, "hilfarm_platform_missing")).toBeUndefined();
  });

  it("reads the bucket a percentile of a Prometheus histogram lies in, +Inf included", () => {
    const histogram = (counts: number[]) =>
      ["1", "10", "100", "+Inf"]
        .map((le, i) => `hilfarm_platform_own_delay_ms_bucket{le="${le}"} ${counts[i]}`)
        .join("\n");
    const name = "hilfarm_platform_own_delay_ms";
    expect(histogramPercentileBound(histogram([950, 985, 995, 1000]), name, 99)).toBe(100);
    expect(histogramPercentileBound(histogram([950, 985, 995, 1000]), name, 96)).toBe(10);
    expect(histogramPercentileBound(histogram([950, 985, 985, 1000]), name, 99)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(histogramPercentileBound(histogram([0, 0, 0, 0]), name, 99)).toBeUndefined();
    expect(histogramPercentileBound(histogram([1, 1, 1, 1]), "hilfarm_platform_other", 99)).toBeUndefined();
    // Since an earlier reading: only the samples taken after it (here 50, of which 5 over 10 ms).
    const earlier = histogram([950, 985, 995, 1000]);
    expect(histogramPercentileBound(histogram([995, 1030, 1045, 1050]), name, 99, earlier)).toBe(100);
    expect(histogramPercentileBound(histogram([995, 1030, 1040, 1050]), name, 99, earlier)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(histogramPercentileBound(earlier, name, 99, earlier)).toBeUndefined();
    // Two processes' expositions joined: one histogram of both (2,000 samples, 25 over 10 ms: p99 in 100).
    const both = `${histogram([950, 985, 995, 1000])}\n${histogram([1000, 1000, 1000, 1000])}`;
    expect(histogramPercentileBound(both, name, 99)).toBe(10);
    expect(histogramPercentileBound(both, name, 99.5)).toBe(100);
    expect(metricSum(both, `${name}_bucket`, { le: "+Inf" })).toBe(2000);
  });
});

describe("broker URLs in logs and reports", () => {
  it("never show a password", () => {
    expect(withoutCredentials("mqtt://lab:s3cret@broker.lab:1883")).toBe("mqtt://broker.lab:1883");
    expect(withoutCredentials("mqtt://127.0.0.1:1883")).toBe("mqtt://127.0.0.1:1883");
    expect(withoutCredentials("mqtt://u:s3cret@[::1:1883")).not.toContain("s3cret");
  });
});
