import type { LatencySummary, LoadReport } from "../../emulators/farm/load-report.ts";

const bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

/** A summary whose buckets follow `counts` (one per bound above; trailing bounds may be left off). */
function summary(counts: number[], stats: Omit<LatencySummary, "count" | "buckets">): LatencySummary {
  const buckets = counts.map((count, i) => ({ upToMs: bounds[i] ?? 5000, count }));
  return { count: counts.reduce((n, c) => n + c, 0), ...stats, buckets };
}

const unmeasured: LatencySummary = {
  count: 0,
  min: 0,
  mean: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  p999: 0,
  max: 0,
  buckets: [],
};

/**
 * Devices online once a second for 300 s: a ramp of 50 a second to 2,000, worker w-b (500 devices) lost at
 * 180 s, its shard ramped again on w-c by 195 s, a few churned devices short at the end.
 */
function onlineSamples(): LoadReport["online"] {
  return Array.from({ length: 300 }, (_, t) => {
    let online = Math.min(2000, t * 50);
    if (t >= 180 && t < 195) online = 1500 + (t - 180) * 33;
    if (t >= 195) online = 2000 - (t % 7 === 0 ? 4 : 0);
    if (t === 299) online = 1996;
    return { t, online };
  });
}

/** A realistic load report: 3 workers (one lost, its shard reassigned), some errors, control not measured. */
export function sampleLoadReport(overrides: Partial<LoadReport> = {}): LoadReport {
  const latency: LoadReport["latency"] = {
    login: summary([0, 0, 120, 1540, 690, 140, 22, 4, 0], {
      min: 3.1,
      mean: 11.9,
      p50: 9.4,
      p90: 18.7,
      p99: 61.2,
      p999: 142.5,
      max: 188.0,
    }),
    connect: summary([0, 310, 1780, 380, 40, 6, 0], {
      min: 1.4,
      mean: 4.2,
      p50: 3.8,
      p90: 7.1,
      p99: 16.9,
      p999: 38.4,
      max: 44.7,
    }),
    heartbeat: summary([2210, 61480, 72950, 9804, 1960, 420, 58, 11, 3], {
      min: 0.6,
      mean: 3.3,
      p50: 2.6,
      p90: 5.9,
      p99: 18.2,
      p999: 71.4,
      max: 412.9,
    }),
    report: summary([130, 6210, 9320, 2105, 400, 71, 9, 1], {
      min: 0.7,
      mean: 3.9,
      p50: 3.1,
      p90: 7.4,
      p99: 21.6,
      p999: 84.0,
      max: 166.3,
    }),
    control: unmeasured,
    "farm-delay": summary([29100, 700, 150, 40, 8, 2], {
      min: 0.001,
      mean: 0.05,
      p50: 0.001,
      p90: 0.001,
      p99: 1.0,
      p999: 4.0,
      max: 9.0,
    }),
    "timer-late": summary([41200, 310, 45, 6], {
      min: 0.001,
      mean: 0.02,
      p50: 0.001,
      p90: 0.001,
      p99: 0.001,
      p999: 3.0,
      max: 12.0,
    }),
  };
  return {
    kind: "hilfarm-load/1",
    harness: { name: "hilfarm", version: "0.1.0", node: "v20.20.2" },
    startedAt: "2026-11-22T09:00:00.000Z",
    finishedAt: "2026-11-22T09:05:00.000Z",
    stopReason: "steady duration elapsed (200 s)",
    seed: 42,
    target: { platform: "emulated", description: "the emulated platform on 127.0.0.1:8883" },
    broker: "mqtt://127.0.0.1:1883",
    profile: {
      devices: 2000,
      rampPerSecond: 50,
      steadySeconds: 200,
      churnPerSecond: 2,
      controlsPerSecond: 0,
      stopOn: ["heartbeat.p99 > 500ms", "lost > 30%"],
    },
    machine: { cpus: 8, cpuModel: "AMD EPYC 7B13", totalMemoryBytes: 32 * 1024 ** 3, platform: "linux x64" },
    totals: {
      devices: 2000,
      peakOnline: 2000,
      onlineAtEnd: 1996,
      framesOut: 180_220,
      framesIn: 179_850,
      framesPerSecond: 1200.2,
      logins: latency.login.count,
      connects: latency.connect.count,
      heartbeats: latency.heartbeat.count,
      reports: latency.report.count,
      controls: 0,
      rssBytesPerDevice: 44_040,
      peakRssBytesPerDevice: 51_200,
      workerRssBytes: 3 * 96 * 1024 ** 2,
      workerPeakRssBytes: 3 * 110 * 1024 ** 2,
      workerCpuSeconds: 171.4,
      workerCoreWaitSeconds: 58.3,
      lostDevices: 500,
    },
    latency,
    steady: {
      fromSeconds: 40,
      latency: { ...latency, login: unmeasured, connect: unmeasured },
    },
    errors: { relogin: 512, resend: 340, "login-timeout": 12 },
    online: onlineSamples(),
    workers: [
      {
        workerId: "w-a",
        host: "farm-1",
        shards: [0, 3],
        devices: 1000,
        online: 998,
        rssBytes: 118 * 1024 ** 2,
        baselineRssBytes: 62 * 1024 ** 2,
        cpuSeconds: 74.2,
        coreWaitSeconds: 31.6,
        state: "finished",
      },
      {
        workerId: "w-b",
        host: "farm-2",
        shards: [1],
        devices: 500,
        online: 0,
        rssBytes: 88 * 1024 ** 2,
        baselineRssBytes: 61 * 1024 ** 2,
        cpuSeconds: 22.9,
        coreWaitSeconds: 4.1,
        state: "lost",
        lostAt: "2026-11-22T09:03:00.000Z",
        lostReason: "no heartbeat from the worker for 10 s",
      },
      {
        workerId: "w-c",
        host: "farm-3",
        shards: [2, 1],
        devices: 1000,
        online: 998,
        rssBytes: 82 * 1024 ** 2,
        baselineRssBytes: 60 * 1024 ** 2,
        cpuSeconds: 74.3,
        coreWaitSeconds: 22.6,
        state: "finished",
      },
    ],
    shards: [
      { shard: 0, devices: 500, workers: ["w-a"], state: "finished" },
      {
        shard: 1,
        devices: 500,
        workers: ["w-b", "w-c"],
        state: "reassigned",
        note: "w-b lost at 180 s; ramped again on w-c",
      },
      { shard: 2, devices: 500, workers: ["w-c"], state: "finished" },
      { shard: 3, devices: 500, workers: ["w-a"], state: "finished" },
    ],
    platform: {
      sessionsOnline: 1996,
      logins: latency.login.count,
      connects: latency.connect.count,
      heartbeats: latency.heartbeat.count + 7,
      framesIn: 180_214,
      ownDelayP99UpToMs: 20,
      ownDelaySteadyP99UpToMs: 50,
      rssBytes: 212 * 1024 ** 2,
      peakRssBytes: 240 * 1024 ** 2,
      cpuSeconds: 64.8,
      coreWaitSeconds: 9.4,
    },
    stopConditions: [
      { condition: "heartbeat.p99 > 500ms", tripped: false, seen: "18.2 ms" },
      { condition: "lost > 30%", tripped: false, seen: "25%" },
    ],
    ...overrides,
  };
}
