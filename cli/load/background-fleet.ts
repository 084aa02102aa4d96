import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadReport } from "../../emulators/farm/load-report.ts";
import type { FleetPlan } from "../../emulators/fleet/fleet-plan.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import type { Logger } from "../../harness/log/logger.ts";
import { startEmbeddedBroker } from "../../harness/mqtt/embedded-broker.ts";
import { loadHtmlReport } from "../../reports/load-html.ts";
import type { BackgroundLoad } from "../../reports/model.ts";
import { buildLoadReport } from "./build-load-report.ts";
import { coordinateLoad, type FarmState, type LoadProfile } from "./coordinator.ts";
import { startLocalWorkers } from "./local-processes.ts";
import { devicesPerWorker, localWorkersFor } from "./worker-count.ts";

/** A background fleet holds until the run it loads ends. */
const UNTIL_STOPPED_SECONDS = 7 * 86_400;

export interface BackgroundFleetOptions {
  /** The fleet file, as the report names it. */
  fleet: string;
  plan: FleetPlan;
  loginAddress: string;
  /** The platform's northbound API, for the controls. */
  apiUrl: string;
  rampPerSecond: number;
  churnPerSecond: number;
  controlsPerSecond: number;
  logger: Logger;
  warn: (text: string) => void;
  /** Times the wait for the ramp; the real clock by default. */
  clock?: Clock;
}

/** A background fleet running: wait for its ramp, then stop it for its figures. */
export interface BackgroundFleet {
  /** Resolves once every device is online, or after `maxMs` with what is online then; rejects when the farm failed. */
  ramped(maxMs: number): Promise<{ online: number; devices: number }>;
  /** Stops the fleet; writes its load report (JSON and HTML) to `dir`; the figures for the run's own report. */
  finish(dir: string): Promise<BackgroundLoad>;
}

/**
 * An emulated fleet loading a platform while something else runs against it (a certification): the load farm's
 * worker processes over an embedded broker, with a ramp, heartbeats, churn and controls, held until `finish`.
 */
export async function startBackgroundFleet(options: BackgroundFleetOptions): Promise<BackgroundFleet> {
  const clock = options.clock ?? new RealClock();
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
  const devices = options.plan.devices.length;
  // As few workers as hold the devices: the run it loads takes the cores.
  const workers = localWorkersFor({ devices, platformProcesses: 1, cores: 1 });
  const local = startLocalWorkers(broker.url, workers, devicesPerWorker(), 10, options.warn);
  const profile: LoadProfile = {
    rampPerSecond: options.rampPerSecond,
    steadySeconds: UNTIL_STOPPED_SECONDS,
    churnPerSecond: options.churnPerSecond,
    controlsPerSecond: options.controlsPerSecond,
    stopOn: [],
  };
  const stop = new AbortController();
  let state: FarmState | undefined;
  const watchers: Array<() => void> = [];
  const outcome = coordinateLoad({
    brokerUrl: broker.url,
    workers,
    plan: options.plan,
    platforms: [{ loginAddress: options.loginAddress, apiUrl: options.apiUrl }],
    profile,
    logger: options.logger,
    signal: stop.signal,
    onTick: (tick) => {
      state = tick;
      for (const watcher of watchers) watcher();
    },
  });
  // A farm that fails to start is reported by `finish`; until then nothing waits on it.
  outcome.catch(() => undefined);
  return {
    ramped: (maxMs) =>
      new Promise((resolve, reject) => {
        const done = () => {
          timer.cancel();
          resolve({ online: state?.online ?? 0, devices });
        };
        const timer = clock.setTimeout(done, maxMs, "background-ramp");
        watchers.push(() => {
          if ((state?.online ?? 0) >= devices) done();
        });
        outcome.then(done, (error: unknown) => {
          timer.cancel();
          reject(error);
        });
      }),
    finish: async (dir) => {
      stop.abort();
      try {
        const report = buildLoadReport(await outcome, {
          seed: options.plan.seed,
          devices,
          platform: options.loginAddress,
          description: "the certification's platform, loaded by a background fleet",
          broker: "embedded",
          profile,
        });
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
        await writeFile(join(dir, "report.html"), loadHtmlReport(report));
        return backgroundFigures(options.fleet, report, dir);
      } finally {
        await local.stop().catch(() => undefined);
        await broker.close().catch(() => undefined);
      }
    },
  };
}

function backgroundFigures(fleet: string, report: LoadReport, dir: string): BackgroundLoad {
  const figures = (kind: "login" | "heartbeat" | "control") => ({
    count: report.latency[kind].count,
    p50: report.latency[kind].p50,
    p99: report.latency[kind].p99,
  });
  return {
    fleet,
    devices: report.totals.devices,
    peakOnline: report.totals.peakOnline,
    onlineAtEnd: report.totals.onlineAtEnd,
    lostDevices: report.totals.lostDevices,
    rampPerSecond: report.profile.rampPerSecond,
    churnPerSecond: report.profile.churnPerSecond,
    controlsPerSecond: report.profile.controlsPerSecond,
    seconds: (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000,
    latency: { login: figures("login"), heartbeat: figures("heartbeat"), control: figures("control") },
    errors: report.errors,
    report: join(dir, "report.html"),
  };
}
