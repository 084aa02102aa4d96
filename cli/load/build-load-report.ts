import { cpus, platform as osPlatform, totalmem } from "node:os";
import { type LoadReport, loadLatencyKinds } from "../../emulators/farm/load-report.ts";
import { RAMP_HOLD_LATE_MS } from "../../emulators/farm/ramp-pacing.ts";
import { version } from "../version.ts";
import type { FarmOutcome, LoadProfile } from "./coordinator.ts";

export interface LoadRunDescription {
  seed: number;
  devices: number;
  platform: string;
  description: string;
  broker: string;
  profile: LoadProfile;
  platformCounters?: LoadReport["platform"];
  /** See LoadReport["machine"]. */
  cpuStolenPercent?: number;
  /** See LoadReport["machine"]. */
  separateCpus?: { platform: number[]; workers: number[] };
  /** See LoadReport["machine"]. */
  idleWorkers?: boolean;
}

/** The run's outcome as the report files hold it. */
export function buildLoadReport(outcome: FarmOutcome, run: LoadRunDescription): LoadReport {
  const latency = Object.fromEntries(
    loadLatencyKinds.map((kind) => [kind, outcome.latencies.summary(kind)]),
  ) as LoadReport["latency"];
  const seconds = Math.max(0.001, (outcome.finishedAt - outcome.startedAt) / 1000);
  const workerRss = outcome.workers.reduce((n, w) => n + w.rssBytes, 0);
  const deviceRss = outcome.workers.reduce((n, w) => n + w.rssBytes - (w.baselineRssBytes ?? 0), 0);
  const heldDevices = outcome.workers.reduce((n, w) => n + w.devices, 0);
  const peaks = outcome.workers.map((w) => w.peakRssBytes);
  const peakTotals = peaks.every((peak) => peak !== undefined)
    ? {
        workerPeakRssBytes: peaks.reduce((n, peak) => n + peak, 0),
        peakRssBytesPerDevice:
          heldDevices === 0
            ? 0
            : outcome.workers.reduce((n, w) => n + (w.peakRssBytes ?? 0) - (w.baselineRssBytes ?? 0), 0) /
              heldDevices,
      }
    : {};
  const coreWaits = outcome.workers.map((w) => w.coreWaitSeconds);
  const coreWaitTotal = coreWaits.every((wait) => wait !== undefined)
    ? { workerCoreWaitSeconds: coreWaits.reduce((n, wait) => n + wait, 0) }
    : {};
  const cpu = cpus();
  return {
    kind: "hilfarm-load/1",
    harness: { name: "hilfarm", version, node: process.version },
    startedAt: new Date(outcome.startedAt).toISOString(),
    finishedAt: new Date(outcome.finishedAt).toISOString(),
    stopReason: outcome.stopReason,
    seed: run.seed,
    target: { platform: run.platform, description: run.description },
    broker: run.broker,
    profile: {
      devices: run.devices,
      rampPerSecond: run.profile.rampPerSecond,
      rampHold: run.profile.rampHold ?? RAMP_HOLD_LATE_MS,
      steadySeconds: run.profile.steadySeconds,
      churnPerSecond: run.profile.churnPerSecond,
      controlsPerSecond: run.profile.controlsPerSecond,
      ...(run.profile.faults === undefined ? {} : { faults: run.profile.faults }),
      stopOn: run.profile.stopOn.map((c) => c.text),
    },
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? "unknown",
      totalMemoryBytes: totalmem(),
      platform: `${osPlatform()} ${process.arch}`,
      ...(run.cpuStolenPercent === undefined ? {} : { cpuStolenPercent: run.cpuStolenPercent }),
      ...(run.separateCpus === undefined ? {} : { separateCpus: run.separateCpus }),
      ...(run.idleWorkers === true ? { idleWorkers: true } : {}),
    },
    totals: {
      devices: run.devices,
      peakOnline: outcome.online.reduce((m, p) => Math.max(m, p.online), 0),
      onlineAtEnd: outcome.online.at(-1)?.online ?? 0,
      framesOut: outcome.framesOut,
      framesIn: outcome.framesIn,
      framesPerSecond: (outcome.framesOut + outcome.framesIn) / seconds,
      logins: latency.login.count,
      connects: latency.connect.count,
      heartbeats: latency.heartbeat.count,
      reports: latency.report.count,
      controls: latency.control.count,
      rssBytesPerDevice: heldDevices === 0 ? 0 : deviceRss / heldDevices,
      workerRssBytes: workerRss,
      ...peakTotals,
      workerCpuSeconds: outcome.workers.reduce((n, w) => n + w.cpuSeconds, 0),
      ...coreWaitTotal,
      lostDevices: outcome.lostDevices,
    },
    latency,
    ...(outcome.steadyFrom === undefined
      ? {}
      : {
          steady: {
            fromSeconds: outcome.steadyFrom,
            latency: Object.fromEntries(
              loadLatencyKinds.map((kind) => [kind, outcome.steadyLatencies.summary(kind)]),
            ) as LoadReport["latency"],
          },
        }),
    errors: outcome.errors,
    online: outcome.online,
    ...(outcome.ramp === undefined
      ? {}
      : { ramp: { ...outcome.ramp, firstPowerOnAt: new Date(outcome.ramp.firstPowerOnAt).toISOString() } }),
    ...(outcome.rampUntimed === undefined ? {} : { rampUntimed: outcome.rampUntimed }),
    workers: outcome.workers,
    shards: outcome.shards,
    ...(run.platformCounters === undefined ? {} : { platform: run.platformCounters }),
    stopConditions: outcome.stopConditions,
  };
}
