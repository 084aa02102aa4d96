import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { farmShareOfTail } from "../emulators/farm/farm-delay.ts";
import { parseRampHold, RAMP_HOLD_RULE } from "../emulators/farm/farm-messages.ts";
import { platformShares } from "../emulators/farm/farm-shards.ts";
import { lateWorkers } from "../emulators/farm/late-workers.ts";
import { type LoadReport, STEAL_WARNING_PERCENT } from "../emulators/farm/load-report.ts";
import { localPortShortage } from "../emulators/farm/local-ports.ts";
import {
  processesUsage,
  readPlatformCounters,
  readPlatformMetrics,
} from "../emulators/farm/platform-counters.ts";
import { rampLag } from "../emulators/farm/ramp-lag.ts";
import { RAMP_HOLD_LATE_MS, type RampHold } from "../emulators/farm/ramp-pacing.ts";
import { parseStopCondition, type StopCondition } from "../emulators/farm/stop-conditions.ts";
import type { RealDevice } from "../emulators/fleet/fleet-file.ts";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { withoutCredentials } from "../harness/link/mqtt-url.ts";
import { parseFaults } from "../harness/link/parse-faults.ts";
import { splitAddress } from "../harness/link/socket-link.ts";
import { createLogger } from "../harness/log/logger.ts";
import { stolenCpuSeconds, stolenPercent } from "../harness/machine/cpu-steal.ts";
import { startEmbeddedBroker } from "../harness/mqtt/embedded-broker.ts";
import { loadHtmlReport } from "../reports/load-html.ts";
import { defaultReportDir } from "../reports/write-reports.ts";
import type { CliIo } from "./io.ts";
import { buildLoadReport } from "./load/build-load-report.ts";
import {
  coordinateLoad,
  exitCodeOf,
  type FarmState,
  type LoadProfile,
  type PlatformEndpoint,
} from "./load/coordinator.ts";
import { LoadMetricsServer } from "./load/load-metrics-server.ts";
import { startLocalPlatforms, startLocalWorkers } from "./load/local-processes.ts";
import { idleClass, onCpus, separateCpus } from "./load/process-placement.ts";
import { watchRealDevices } from "./load/real-device-watch.ts";
import { DEVICES_PER_WORKER_RULE, devicesPerWorker, localWorkersFor } from "./load/worker-count.ts";
import { farmOption, logLevelOption, seedOption } from "./option-groups.ts";
import { integerOption, portOption } from "./options.ts";

interface LoadOptions {
  fleet: string;
  host: string;
  platform: string;
  api?: string;
  broker?: string;
  farm: string;
  workers?: number;
  ramp: number;
  rampHold?: RampHold;
  steady: number;
  churn: number;
  controls: number;
  faults?: string;
  stopOn: StopCondition[];
  heartbeat: number;
  connectionServers: number;
  platformProcesses?: number;
  workerNiceness: number;
  separateCpus?: boolean;
  idleWorkers?: boolean;
  seed?: number;
  reportDir?: string;
  metricsHost: string;
  metricsPort: number;
  waitWorkers: number;
  logLevel: string;
}

/**
 * A reference platform process serves at most this many devices that may hold a TCP connection: one descriptor each
 * under the 20,000-descriptor cap, less the platform's own reserve (emulators/platform/limits.ts).
 */
const TCP_DEVICES_PER_PLATFORM_PROCESS = 18_000;

/**
 * How many reference platform processes a fleet needs: one, or, when its devices may hold TCP connections (transport
 * `tcp`, or `auto`, which moves to TCP after repeated logins: 5.4.2.2), enough for the descriptor cap.
 */
export function platformProcessesFor(plan: {
  transport: string;
  devices: { readonly length: number };
}): number {
  return plan.transport === "udp"
    ? 1
    : Math.max(1, Math.ceil(plan.devices.length / TCP_DEVICES_PER_PLATFORM_PROCESS));
}

/**
 * Warnings for the platform processes whose share of a TCP fleet is more than one process holds (an `auto` fleet
 * holds TCP connections only for devices that moved to TCP, so it gets none): too few `--platform-processes`, or
 * uneven shares when `--workers` is not a multiple of them (or a distributed farm's workers).
 */
export function overfullPlatformShares(
  transport: string,
  shares: ReadonlyArray<readonly unknown[]>,
): string[] {
  if (transport !== "tcp") return [];
  const sizes = shares.map((share) => share.length);
  const uneven = Math.max(...sizes) !== Math.min(...sizes);
  return sizes.flatMap((size, k) =>
    size > TCP_DEVICES_PER_PLATFORM_PROCESS
      ? [
          `hilfarm: platform process ${k + 1} of ${sizes.length} serves ${size.toLocaleString("en-US")} TCP devices, ` +
            `more than the ${TCP_DEVICES_PER_PLATFORM_PROCESS.toLocaleString("en-US")} one process holds; the rest will be refused. ` +
            `${uneven ? "Give --workers a multiple of the platform processes, or more --platform-processes" : "Give more --platform-processes"}\n`,
        ]
      : [],
  );
}

const rateOption = (name: string, min: number) => (text: string) => {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > 1_000_000)
    throw new UsageError(name, `--${name} must be a number in ${min}..1000000, got ${showValue(text)}`);
  return n;
};

/** `--ramp-hold`, read by the rule its workers check it by (farm-messages.ts). */
const rampHoldOption = (text: string): RampHold => {
  const hold = parseRampHold(text);
  if (hold === undefined)
    throw new UsageError("ramp-hold", `--ramp-hold must be ${RAMP_HOLD_RULE}, got ${showValue(text)}`);
  return hold;
};

/**
 * The `hilfarm platform` options that bridge a mixed fleet's real devices into the platform a load run starts: one
 * UART (`--serial`) and one MQTT link (`--device-link-mqtt`) at most; `network` devices log in by themselves.
 */
function realDeviceLinks(real: readonly RealDevice[], platform: string): string[] {
  const serial = real.filter((d) => d.attach.startsWith("serial://"));
  const mqtt = [
    ...new Set(
      real.filter((d) => d.attach.startsWith("mqtt://") || d.attach === "embedded").map((d) => d.attach),
    ),
  ];
  if (platform !== "emulated" && serial.length + mqtt.length > 0)
    throw new UsageError(
      "fleet",
      `real device ${(serial[0] ?? real.find((d) => d.attach !== "network"))?.deviceId}: with --platform ${platform} a real device attaches to that platform itself (attach: network)`,
    );
  if (serial.length > 1)
    throw new UsageError(
      "fleet",
      `real devices ${serial.map((d) => d.deviceId).join(", ")}: hilfarm load bridges one serial device; attach the others over the network`,
    );
  if (mqtt.length > 1)
    throw new UsageError(
      "fleet",
      `real devices on ${mqtt.length} MQTT links: hilfarm load bridges one broker`,
    );
  return [
    ...(serial[0] === undefined ? [] : ["--serial", serial[0].attach]),
    ...(mqtt[0] === undefined ? [] : ["--device-link-mqtt", mqtt[0]]),
  ];
}

function progressLine(state: FarmState): string {
  const hb =
    state.latencies.count("heartbeat") === 0
      ? "-"
      : `${state.latencies.percentile("heartbeat", 99).toFixed(1)} ms`;
  const errors = Object.entries(state.errors)
    .filter(([kind]) => kind !== "churn-power-cycle")
    .reduce((n, [, c]) => n + c, 0);
  return `load: ${state.online}/${state.devices} online, ${state.poweredOn} powered on, workers ${state.liveWorkers} live${state.lostWorkers > 0 ? ` ${state.lostWorkers} LOST` : ""}, heartbeat p99 ${hb}, ${errors} errors, ${state.elapsedSeconds.toFixed(0)} s`;
}

/** `hilfarm load`: a load run against a platform, on this machine's cores or on workers anywhere on a broker. */
export function addLoadCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  waitForStop: () => Promise<string>,
): void {
  const load = program
    .command("load")
    .description(
      "Load-test a platform with a fleet of emulated devices: ramp, steady heartbeats, churn, controls, faults.\n" +
        "Without --broker, workers run as processes on this machine over an embedded broker; with --broker,\n" +
        "workers started anywhere with `hilfarm worker` take a shard each. Writes report.json and report.html.\n" +
        "Exit code 0 when the run completed, 1 when a stop condition tripped or devices were lost, 2 for a usage error.",
    )
    .requiredOption(
      "--fleet <file>",
      "fleet file (see examples/fleet.json); its count sets the number of devices",
    )
    .option(
      "--platform <target>",
      "`emulated` (the reference platform as a process here, provisioned with the fleet) or the login server host:port",
      "emulated",
    )
    .option(
      "--host <address>",
      "with --platform emulated: the interface its device ports listen on (0.0.0.0 for a mixed fleet's real devices on a lab network)",
      "127.0.0.1",
    )
    .option(
      "--api <url>",
      "the platform's northbound API for control traffic (automatic with --platform emulated)",
    )
    .option(
      "--broker <url>",
      "MQTT broker of a distributed farm (default: an embedded broker and local workers)",
    );
  farmOption
    .add(load, "farm name on the broker (as given to hilfarm worker --farm)")
    .option(
      "--workers <n>",
      `workers to use (default: one per core, and enough for ${devicesPerWorker().toLocaleString("en-US")} devices each: ${DEVICES_PER_WORKER_RULE})`,
      integerOption("workers", 1, 1000),
    )
    .option("--ramp <devices/s>", "devices powered on per second", rateOption("ramp", 0.1), 500)
    .option(
      "--ramp-hold <ms|off>",
      `hold a worker's ramp while it runs more than this many ms behind (its own delay, or its timer wheel's), so that its queue of logins does not pass for the platform's, and make up what it held once on time; off: power devices on at the ramp's rate whatever the farm's delay (default: ${RAMP_HOLD_LATE_MS})`,
      rampHoldOption,
    )
    .option("--steady <seconds>", "how long to hold the fleet after the ramp", rateOption("steady", 0), 60)
    .option(
      "--churn <devices/s>",
      "devices power-cycled per second once the run is steady",
      rateOption("churn", 0),
      0,
    )
    .option(
      "--controls <per-s>",
      "controls per second through the platform's API",
      rateOption("controls", 0),
      0,
    )
    .option(
      "--faults <list>",
      "faults on every device's links (as hilfarm devices --faults)",
      (text: string) => {
        parseFaults(text);
        return text;
      },
    )
    .option(
      "--stop-on <condition>",
      "stop early when this holds (repeatable): heartbeat-p99>100, login-p90>500, farm-delay-p99>50, errors>1000, lost-devices>0",
      (text: string, all: StopCondition[]) => [...all, parseStopCondition(text)],
      [] as StopCondition[],
    )
    .option(
      "--heartbeat <seconds>",
      "heartbeat the emulated platform gives (1005)",
      integerOption("heartbeat", 1, 3600),
      30,
    )
    .option(
      "--connection-servers <n>",
      "connection servers of the emulated platform (the login server assigns the least loaded)",
      integerOption("connection-servers", 1, 16),
      2,
    )
    .option(
      "--platform-processes <n>",
      "with --platform emulated: reference platform processes, each serving the devices of a run of whole shards (default: one, or one per 18,000 devices that may use TCP)",
      integerOption("platform-processes", 1, 64),
    )
    .option(
      "--worker-niceness <n>",
      "scheduling niceness of local workers (0-19): above 0, a platform on this machine gets the CPU first",
      integerOption("worker-niceness", 0, 19),
      10,
    )
    .option(
      "--separate-cpus",
      "Linux, with taskset: the local reference platform on one half of this machine's CPUs, local workers on the other, so that a platform woken by a worker does not wait on that worker's CPU",
    )
    .option(
      "--idle-workers",
      "Linux, with chrt: local workers in the idle scheduling class, so that a platform on this machine woken by a worker runs at once; on a machine whose CPUs are all busy the workers get only what is left",
    );
  seedOption
    .add(load, "override the fleet's seed")
    .option("--report-dir <dir>", "where report.json and report.html go (default reports/out/<timestamp>)")
    .option("--metrics-host <address>", "interface of /metrics", "127.0.0.1")
    .option(
      "--metrics-port <port>",
      "Prometheus /metrics while the run goes; 0 = any free port",
      portOption("metrics-port"),
      0,
    )
    .option(
      "--wait-workers <seconds>",
      "how long to wait for idle workers",
      integerOption("wait-workers", 1, 3600),
      60,
    );
  logLevelOption
    .add(load, "warn")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm load --fleet examples/load-fleet.json --ramp 1000 --steady 60\n" +
        "  hilfarm load --fleet fleet.json --platform 192.0.2.10:8700 --api http://192.0.2.10:8780 --controls 20 --stop-on heartbeat-p99>100\n" +
        "  hilfarm load --fleet fleet.json --broker mqtt://broker.lab:1883 --workers 3 --platform 192.0.2.10:8700\n",
    )
    .action(async (options: LoadOptions) => {
      const logger = createLogger({ name: "load", level: options.logLevel });
      const plan = await loadFleetPlan(options.fleet, options.seed);
      if (plan.devices.length === 0) throw new UsageError("fleet", `--fleet ${options.fleet} has no devices`);
      if (options.platform !== "emulated") splitAddress(options.platform);
      const profile: LoadProfile = {
        rampPerSecond: options.ramp,
        ...(options.rampHold === undefined ? {} : { rampHold: options.rampHold }),
        steadySeconds: options.steady,
        churnPerSecond: options.churn,
        controlsPerSecond: options.controls,
        ...(options.faults === undefined ? {} : { faults: options.faults }),
        stopOn: options.stopOn,
      };
      const real = plan.real ?? [];
      const links = realDeviceLinks(real, options.platform);
      const cleanups: Array<() => Promise<void>> = [];
      const abort = new AbortController();
      void waitForStop().then(() => abort.abort());
      if (options.platform !== "emulated" && options.platformProcesses !== undefined)
        throw new UsageError(
          "platform-processes",
          `--platform-processes ${options.platformProcesses}: only the reference platform (--platform emulated) is started by hilfarm load`,
        );
      const processes =
        options.platform === "emulated" ? (options.platformProcesses ?? platformProcessesFor(plan)) : 1;
      let workers = options.workers;
      if (options.broker === undefined)
        // Local workers: as many as the cores and the devices need, and a whole number per platform process.
        workers ??= localWorkersFor({
          devices: plan.devices.length,
          platformProcesses: processes,
          cores: cpus().length,
        });
      workers ??= 1;
      if (workers < processes)
        throw new UsageError(
          "workers",
          `--workers ${workers} is fewer than the ${processes} platform processes: each platform process serves the devices of whole shards, one shard per worker`,
        );
      if (options.api !== undefined && processes > 1)
        throw new UsageError(
          "api",
          `--api ${showValue(options.api)}: hilfarm starts ${processes} platform processes, each with its own API, and sends each control to its device's; leave --api out, or give --platform-processes 1`,
        );
      if (options.separateCpus === true && options.platform !== "emulated")
        throw new UsageError(
          "separate-cpus",
          `--separate-cpus with --platform ${options.platform}: it keeps the reference platform hilfarm starts here apart from the workers; with a platform elsewhere, leave it out`,
        );
      if (options.idleWorkers === true && options.broker !== undefined)
        throw new UsageError(
          "idle-workers",
          `--idle-workers with --broker ${withoutCredentials(options.broker)}: hilfarm starts no workers here; run each \`hilfarm worker\` under chrt --idle 0 instead`,
        );
      const split = options.separateCpus === true ? separateCpus() : undefined;
      const idle = options.idleWorkers === true ? idleClass() : [];
      const onHalf = (side: "platform" | "workers") =>
        split === undefined ? [] : onCpus(split.taskset, split[side]);
      const shares = options.platform === "emulated" ? platformShares(plan.devices, workers, processes) : [];
      for (const warning of overfullPlatformShares(plan.transport, shares)) io.stderr.write(warning);
      try {
        const started =
          options.platform === "emulated"
            ? await startLocalPlatforms(
                shares.map((devices, k) => ({
                  ...plan,
                  devices,
                  // A mixed fleet's real devices log in to (or are bridged into) the first process.
                  real: k === 0 ? real : [],
                })),
                (k) => ({
                  heartbeatSeconds: options.heartbeat,
                  connectionServers: options.connectionServers,
                  extraArgs: [...(k === 0 ? links : []), "--host", options.host],
                  launcher: onHalf("platform"),
                }),
                cleanups,
              )
            : [];
        const pids = started.map((p) => p.pid);
        const readyRssBytes = pids.length === 0 ? undefined : processesUsage(pids).rssBytes;
        const loginAddress = started[0]?.loginAddress ?? options.platform;
        const apiUrl = options.api ?? started[0]?.apiUrl;
        const platforms: PlatformEndpoint[] =
          started.length > 1
            ? started.map(({ loginAddress, apiUrl }) => ({ loginAddress, apiUrl }))
            : [{ loginAddress, ...(apiUrl === undefined ? {} : { apiUrl }) }];
        const apiUrls = platforms.flatMap((p) => (p.apiUrl === undefined ? [] : [p.apiUrl]));
        let brokerUrl = options.broker;
        if (brokerUrl === undefined) {
          const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
          cleanups.unshift(() => broker.close());
          brokerUrl = broker.url;
          const local = startLocalWorkers(
            brokerUrl,
            workers,
            devicesPerWorker(),
            options.workerNiceness,
            (text) => io.stderr.write(text),
            [...onHalf("workers"), ...idle],
          );
          cleanups.unshift(() => local.stop());
        }
        const metrics = new LoadMetricsServer();
        const metricsUrl = await metrics.listen(options.metricsHost, options.metricsPort);
        cleanups.unshift(() => metrics.close());
        const attach = (d: RealDevice) =>
          d.attach === "network"
            ? `network: logs in to ${loginAddress}`
            : d.attach.startsWith("mqtt://")
              ? withoutCredentials(d.attach)
              : d.attach;
        const realWatch = real.length === 0 ? undefined : watchRealDevices(real, apiUrl, attach);
        if (realWatch !== undefined) cleanups.unshift(async () => void (await realWatch.stop()));
        io.stdout.write(
          `${JSON.stringify({
            event: "load-started",
            ...(real.length === 0
              ? {}
              : { real: real.map((d) => ({ deviceId: d.deviceId, real: true, attach: attach(d) })) }),
            devices: plan.devices.length,
            workers,
            platform: loginAddress,
            ...(platforms.length > 1 ? { platforms: platforms.map((p) => p.loginAddress) } : {}),
            broker: options.broker === undefined ? "embedded" : withoutCredentials(options.broker),
            metrics: metricsUrl,
          })}\n`,
        );
        const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
        let lastPlain = 0;
        const stolenAtStart = stolenCpuSeconds();
        // The platform's metrics as the run becomes steady: its own delay over the steady window is the difference.
        let platformAtSteady: Promise<string | undefined> = Promise.resolve(undefined);
        // And as it ends, while the fleet is still up: its sessions online then.
        let platformAtEnd: Promise<string | undefined> = Promise.resolve(undefined);
        const outcome = await coordinateLoad({
          brokerUrl,
          farm: options.farm,
          workers,
          plan,
          platforms,
          profile,
          logger,
          waitForWorkersMs: options.waitWorkers * 1000,
          signal: abort.signal,
          onSteady: () => {
            if (apiUrls.length > 0) platformAtSteady = readPlatformMetrics(apiUrls).catch(() => undefined);
          },
          onEnding: () => {
            platformAtEnd =
              apiUrls.length === 0 ? platformAtEnd : readPlatformMetrics(apiUrls).catch(() => undefined);
            return platformAtEnd;
          },
          onTick: (state) => {
            metrics.update(state);
            if (tty) io.stdout.write(`\r\u001b[2K${progressLine(state)}`);
            else if (state.elapsedSeconds - lastPlain >= 5) {
              // Not a terminal: one JSON line every 5 s, like the other lines a script reads.
              lastPlain = state.elapsedSeconds;
              io.stdout.write(
                `${JSON.stringify({
                  event: "progress",
                  elapsed: Math.round(state.elapsedSeconds),
                  online: state.online,
                  poweredOn: state.poweredOn,
                  devices: state.devices,
                  liveWorkers: state.liveWorkers,
                  lostWorkers: state.lostWorkers,
                  heartbeatP99Ms: state.latencies.percentile("heartbeat", 99),
                })}\n`,
              );
            }
          },
        });
        if (tty) io.stdout.write("\n");
        let platformCounters: LoadReport["platform"];
        const atSteady = await platformAtSteady;
        const atEnd = await platformAtEnd;
        if (apiUrls.length > 0)
          platformCounters = await readPlatformCounters(
            apiUrls,
            pids.length === 0
              ? undefined
              : { pids, ...(readyRssBytes === undefined ? {} : { readyRssBytes }) },
            atSteady,
            atEnd,
          ).catch((error: Error) => {
            logger.warn({ err: error }, "the platform's /metrics could not be read");
            return undefined;
          });
        const cpuStolenPercent = stolenPercent(
          stolenAtStart,
          stolenCpuSeconds(),
          (outcome.finishedAt - outcome.startedAt) / 1000,
          cpus().length,
        );
        const realResults = await realWatch?.stop();
        const report = buildLoadReport(outcome, {
          ...(cpuStolenPercent === undefined ? {} : { cpuStolenPercent }),
          ...(split === undefined
            ? {}
            : { separateCpus: { platform: [...split.platform], workers: [...split.workers] } }),
          ...(options.idleWorkers === true ? { idleWorkers: true } : {}),
          seed: plan.seed,
          devices: plan.devices.length,
          platform: platforms.map((p) => p.loginAddress).join(" "),
          description:
            started.length === 0
              ? `platform at ${loginAddress}`
              : `hilfarm reference platform (${started.length === 1 ? "separate process" : `${started.length} processes, each serving the devices of ${Number.isInteger(workers / started.length) ? workers / started.length : "a run of whole"} shards`}, ${options.connectionServers} connection servers each, heartbeat ${options.heartbeat} s)`,
          broker: options.broker === undefined ? "embedded" : withoutCredentials(options.broker),
          profile,
          ...(platformCounters === undefined ? {} : { platformCounters }),
        });
        if (realResults !== undefined) report.real = realResults;
        const dir = options.reportDir ?? defaultReportDir(new Date(outcome.startedAt));
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
        await writeFile(join(dir, "report.html"), loadHtmlReport(report));
        if (report.totals.peakOnline === 0)
          io.stderr.write(
            `hilfarm: no device ever came online at ${loginAddress} (errors: ${JSON.stringify(report.errors)}); is that the platform's login server, and does it know the fleet's devices?\n`,
          );
        for (const kind of ["heartbeat", "login"] as const) {
          const farmShare = farmShareOfTail(report, kind);
          if (farmShare?.farmsTail === true) io.stderr.write(`hilfarm: ${farmShare.text}\n`);
        }
        if (report.rampUntimed !== undefined)
          io.stderr.write(`hilfarm: the ramp is not timed by the workers' clocks: ${report.rampUntimed}\n`);
        const lag = rampLag(report);
        if (lag !== undefined) io.stderr.write(`hilfarm: ${lag}\n`);
        const late = lateWorkers(report);
        if (late !== undefined) io.stderr.write(`hilfarm: ${late}\n`);
        const portShortage = localPortShortage(report);
        if (portShortage !== undefined) io.stderr.write(`hilfarm: ${portShortage}\n`);
        if (cpuStolenPercent !== undefined && cpuStolenPercent >= STEAL_WARNING_PERCENT)
          io.stderr.write(
            `hilfarm: the hypervisor took ${cpuStolenPercent.toFixed(1)} % of this machine's CPU during the run: every process here stalled that much at random, and the latency percentiles include those stalls\n`,
          );
        io.stdout.write(
          `${JSON.stringify({
            event: "load-finished",
            ...(realResults === undefined
              ? {}
              : {
                  real: realResults.map((d) => ({
                    deviceId: d.deviceId,
                    onlineAtEnd: d.onlineAtEnd ?? null,
                  })),
                }),
            stopReason: report.stopReason,
            devices: report.totals.devices,
            peakOnline: report.totals.peakOnline,
            heartbeatP99Ms: report.latency.heartbeat.p99,
            lostDevices: report.totals.lostDevices,
            report: dir,
          })}\n`,
        );
        setExitCode(exitCodeOf(outcome.stop));
      } finally {
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      }
    });
}
