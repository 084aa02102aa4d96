import { join } from "node:path";
import { type Command, Option } from "commander";
import type { Logger } from "pino";
import { fleetRegistry } from "../emulators/fleet/fleet-plan.ts";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";
import { loadRegistry } from "../emulators/platform/registry/index.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { openCapture } from "../harness/evidence/capture-file.ts";
import { EvidenceSlot } from "../harness/evidence/evidence-slot.ts";
import { EvidenceRecorder } from "../harness/evidence/recorder.ts";
import {
  bridgeMqtt,
  bridgeSerial,
  type DeviceLinkBridge,
  stopWhenGone,
} from "../harness/link/device-links.ts";
import { settleLog } from "../harness/log/logger.ts";
import type { BackgroundLoad, CaseReport, RunReport, SuiteReport } from "../reports/model.ts";
import { totals } from "../reports/model.ts";
import { defaultReportDir, writeReports } from "../reports/write-reports.ts";
import { type ClauseResult, runClauses } from "../scenarios/conformance/clause.ts";
import { deviceClauses } from "../scenarios/conformance/device-clauses.ts";
import { lanClauses } from "../scenarios/conformance/lan-clauses.ts";
import { type DeviceTarget, externalDeviceTarget } from "../scenarios/target/device-target.ts";
import {
  type LanTarget,
  lanAddress,
  lanTarget,
  mcFromPlatform,
  platformCredentials,
} from "../scenarios/target/lan-target.ts";
import type { CliIo } from "./io.ts";
import { type BackgroundFleet, startBackgroundFleet } from "./load/background-fleet.ts";
import {
  type HttpApiCommandOptions,
  hostOption,
  httpApiOptions,
  type LogCommandOptions,
  logOptions,
  type PlatformPortCommandOptions,
  platformPortOptions,
  seedOption,
} from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { harnessInfo } from "./version.ts";

interface CertifyOptions extends HttpApiCommandOptions, PlatformPortCommandOptions, LogCommandOptions {
  registry: string;
  device: string;
  transport?: "tcp" | "udp";
  heartbeat: number;
  host: string;
  seed?: number;
  reportDir?: string;
  serial?: string;
  mqttLink?: string;
  replugWait: number;
  lanDiscovery?: string;
  lanControl?: string;
  backgroundFleet?: string;
  backgroundRamp: number;
  backgroundChurn: number;
  backgroundControls: number;
}

const SUITE = "device under test (5.2, 5.4.2, 5.4.3)";
const LAN_SUITE = "device LAN side, Md (6.2.1-6.2.6)";

/** `--lan-discovery` and `--lan-control`: both (the device's LAN side is certified too) or neither. */
function lanAddresses(options: CertifyOptions): { discovery: string; control: string } | undefined {
  const { lanDiscovery, lanControl } = options;
  if (lanDiscovery === undefined && lanControl === undefined) return undefined;
  if (lanDiscovery === undefined || lanControl === undefined)
    throw new UsageError(
      lanDiscovery === undefined ? "lan-discovery" : "lan-control",
      "give --lan-discovery and --lan-control together: the device's LAN discovery and control addresses",
    );
  return {
    discovery: lanAddress("lan-discovery", lanDiscovery),
    control: lanAddress("lan-control", lanControl),
  };
}

/**
 * `hilfarm certify`: hilfarm's platform waits for the device under test, runs the device-under-test suite clause by
 * clause on real time, and writes the certification report (JUnit, JSON, HTML) with every frame as evidence.
 */
export function addCertifyCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  waitForStop: () => Promise<string>,
): void {
  const certify = program
    .command("certify")
    .description(
      "Certify a device: hilfarm's platform listens, the device under test logs in to it (switch it on once the\n" +
        "ready line is printed), and every clause of the device-under-test suite runs on real time; with\n" +
        "--lan-discovery and --lan-control, the LAN (Md) clauses of 6.2.1-6.2.6 follow. Writes\n" +
        "junit.xml, report.json, report.html (certification report) and evidence.jsonl (every frame) to the report\n" +
        "directory. Exit code 0 when every applicable clause passed, 1 when any failed, 2 for a usage error.",
    )
    .requiredOption("--registry <file>", "the device's credentials (JSON or CSV)")
    .requiredOption("--device <deviceId>", "which registry entry is the device under test")
    .addOption(
      new Option(
        "--transport <transport>",
        "the transport the device is declared to use; the report fails 5.4.2.2 if it never connects over it",
      ).choices(["tcp", "udp"]),
    )
    .option(
      "--heartbeat <seconds>",
      "heartBeat given to the device in 1005: short, so the suite takes minutes",
      integerOption("heartbeat", 1, 86400),
      5,
    );
  hostOption.add(certify, "interface the device ports listen on (0.0.0.0 for a lab network)");
  logOptions.add(certify);
  platformPortOptions.add(certify, {
    login: "login server (0: any free port)",
    tcp: "TCP connection server",
    udp: "UDP connection server",
    http: "northbound API",
  });
  seedOption
    .add(
      httpApiOptions.add(certify),
      "seed of the platform's tokens, keys and sequences (recorded in the report)",
    )
    .option("--report-dir <dir>", "where the reports go (default reports/out/<timestamp>)")
    .option(
      "--serial <port>",
      "the device is on a UART: serial:///dev/ttyUSB0?baud=115200&parity=none&stopBits=1&flowControl=none&framing=cts-json&transport=tcp, or a path",
    )
    .option(
      "--mqtt-link <url>",
      "the device's module speaks MQTT: frames on hilfarm/link/<deviceId>/up|down at this broker (mqtt://[user:password@]host:port[?transport=udp&framing=cts-base64&maxFrameLength=65536]), or `embedded`",
    )
    .option(
      "--replug-wait <seconds>",
      "how long a serial or MQTT link may stay down (a cable re-seated) before the run stops with what it has",
      integerOption("replug-wait", 1, 3600),
      30,
    )
    .option(
      "--lan-discovery <host:port>",
      "the device's LAN discovery port (UDP, 6.2.1: 7680): with --lan-control, the Md clauses run after the Mc ones",
    )
    .option(
      "--lan-control <host:port>",
      "the device's LAN control port (TCP, 6.2.2: 7681); lanKeys come from this platform, which knows the PIN",
    )
    .option(
      "--background-fleet <file>",
      "certify under load: this fleet of emulated devices (worker processes) loads the platform through the whole run",
    )
    .option(
      "--background-ramp <devices/s>",
      "background devices powered on per second (the ready line waits for the ramp)",
      integerOption("background-ramp", 1, 100_000),
      200,
    )
    .option(
      "--background-churn <devices/s>",
      "background devices power-cycled per second once the fleet is steady",
      integerOption("background-churn", 0, 10_000),
      1,
    )
    .option(
      "--background-controls <per-s>",
      "controls per second to background devices through the platform's API",
      integerOption("background-controls", 0, 10_000),
      2,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --host 0.0.0.0\n" +
        "  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --background-fleet examples/fleet.json\n" +
        "  hilfarm certify --registry examples/registry/lab.json --device 0000111122223333aaaabbbc --heartbeat 2 --report-dir reports/out/lock\n" +
        "  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --serial 'serial:///dev/ttyUSB0?baud=115200'\n" +
        "  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --mqtt-link mqtt://192.0.2.5:1883\n" +
        "  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --host 0.0.0.0 --lan-discovery 192.0.2.7:7680 --lan-control 192.0.2.7:7681\n",
    )
    .action(async (options: CertifyOptions) => {
      const entry = (await loadRegistry(options.registry)).get(options.device);
      if (entry === undefined)
        throw new UsageError("device", `--device ${showValue(options.device)} is not in ${options.registry}`);
      if (options.serial !== undefined && options.mqttLink !== undefined)
        throw new UsageError("serial", "give --serial or --mqtt-link, not both: a device has one link");
      const lan = lanAddresses(options);
      const startedAt = new Date();
      const seed = options.seed ?? Math.floor(Math.random() * 2147483647);
      const dir = options.reportDir ?? defaultReportDir(startedAt);
      const backgroundPlan =
        options.backgroundFleet === undefined ? undefined : await loadFleetPlan(options.backgroundFleet);
      if (
        backgroundPlan !== undefined &&
        fleetRegistry(backgroundPlan).some((d) => d.deviceId === entry.deviceId)
      )
        throw new UsageError(
          "background-fleet",
          `--background-fleet ${options.backgroundFleet} has the device under test (${entry.deviceId}) among its devices`,
        );
      const evidenceSlot = new EvidenceSlot();
      const logger = logOptions.logger(options, "certify");
      const target = await externalDeviceTarget({
        logger,
        device: {
          deviceId: entry.deviceId,
          pin: entry.pin,
          ...(entry.model === undefined ? {} : { model: entry.model }),
        },
        host: options.host,
        ports: platformPortOptions.ports(options),
        ...httpApiOptions.platform(options),
        heartbeatSeconds: options.heartbeat,
        seed,
        evidence: evidenceSlot,
        ...(backgroundPlan === undefined ? {} : { others: fleetRegistry(backgroundPlan) }),
      });
      // Opened once the platform listens: a port in use is a usage error with nothing left behind.
      const capture = openCapture(join(dir, "evidence.jsonl"), { device: entry.deviceId, seed });
      const recorder = new EvidenceRecorder({ sink: (frame) => capture.write(frame) });
      evidenceSlot.use(recorder);
      const { login: loginAddress, connectionServers } = target.platform.addresses;
      const server = connectionServers[0];
      const platformAddresses = { login: loginAddress, tcp: server?.tcp ?? "", udp: server?.udp ?? "" };
      const stop = new AbortController();
      let link: DeviceLinkBridge | undefined;
      try {
        if (options.serial !== undefined)
          link = await bridgeSerial(options.serial, platformAddresses, { clock: target.clock, logger });
        else if (options.mqttLink !== undefined)
          link = await bridgeMqtt(options.mqttLink, platformAddresses, {
            logger,
            host: options.host,
            only: (deviceId) => deviceId === entry.deviceId,
          });
      } catch (error) {
        await target.close();
        await capture.close();
        await settleLog(logger);
        throw error;
      }
      if (link !== undefined)
        stopWhenGone(link, target.clock, options.replugWait * 1000, (reason) => {
          logger.error({ link: link?.description }, reason);
          io.stdout.write(`${JSON.stringify({ event: "stopped", reason })}\n`);
          stop.abort(reason);
        });
      let background: BackgroundFleet | undefined;
      try {
        if (backgroundPlan !== undefined && options.backgroundFleet !== undefined) {
          background = await startBackgroundFleet({
            fleet: options.backgroundFleet,
            plan: backgroundPlan,
            loginAddress: target.platform.addresses.login,
            apiUrl: target.platform.addresses.http,
            rampPerSecond: options.backgroundRamp,
            churnPerSecond: options.backgroundChurn,
            controlsPerSecond: options.backgroundControls,
            logger,
            warn: (text) => io.stderr.write(text),
          });
          const devices = backgroundPlan.devices.length;
          // The device under test is switched on (the ready line) once the platform carries the fleet.
          // A login refused in the ramp's storm is retried after 60 s (5.4.2.1): the wait covers one retry.
          const ramped = await background.ramped((devices / options.backgroundRamp) * 1000 + 70_000);
          io.stdout.write(
            `${JSON.stringify({ event: "background", fleet: options.backgroundFleet, ...ramped })}\n`,
          );
        }
      } catch (error) {
        await background?.finish(join(dir, "background-load")).catch(() => undefined);
        await link?.close();
        await target.close();
        await capture.close();
        throw error;
      }
      let backgroundLoad: BackgroundLoad | undefined;
      let backgroundFailure: string | undefined;
      const waiting = waitingLog(target, entry.deviceId, logger);
      // Ctrl-C ends the run as a pulled cable does: the clause under way fails, the rest are not run, and the
      // reports keep everything so far.
      void waitForStop().then((signal) => {
        if (stop.signal.aborted) return;
        io.stdout.write(`${JSON.stringify({ event: "stopped", reason: `interrupted (${signal})` })}\n`);
        stop.abort(`interrupted (${signal})`);
      });
      const transports = new Set<string>();
      target.platform.events.on("session", ({ deviceId, transport }) => {
        if (deviceId === entry.deviceId) transports.add(transport);
      });
      const cases: CaseReport[] = [];
      const lanCases: CaseReport[] = [];
      try {
        const { login, tcp, udp, http } = target.platform.addresses;
        const linkFields =
          link === undefined
            ? {}
            : { link: link.description, ...("brokerUrl" in link ? { mqtt: link.brokerUrl } : {}) };
        io.stdout.write(
          `${JSON.stringify({ event: "ready", login, tcp, udp, http, apiAuth: httpApiOptions.auth(options), ...linkFields, ...(lan === undefined ? {} : { lan }), waitingFor: entry.deviceId })}\n`,
        );
        const of = deviceClauses.length + (lan === undefined ? 0 : lanClauses.length);
        const onResult = (into: CaseReport[], first: number) => (result: ClauseResult, index: number) => {
          into.push({
            ...result,
            ...(result.status === "fail" ? { timeline: recorder.timeline(target.clock.now()) } : {}),
          });
          io.stdout.write(
            `${JSON.stringify({ event: "clause", n: first + index + 1, of, clause: result.clause, title: result.title, status: result.status, detail: result.detail, wallMs: Math.round(result.wallMs) })}\n`,
          );
        };
        await runClauses(target, deviceClauses, onResult(cases, 0), stop.signal);
        if (lan !== undefined)
          await runClauses(
            certifiedLan(target, lan, options.apiToken),
            lanClauses,
            onResult(lanCases, deviceClauses.length),
            stop.signal,
          );
        if (options.transport !== undefined) {
          const seen = [...transports].join(", ") || "no connection";
          cases.push({
            clause: "5.4.2.2",
            title: `the device connects over ${options.transport}, as declared with --transport`,
            status: transports.has(options.transport) ? "pass" : "fail",
            detail: transports.has(options.transport)
              ? ""
              : `expected a ${options.transport} session; saw ${seen}`,
            wallMs: 0,
            targetMs: 0,
          });
        }
      } finally {
        waiting.cancel();
        // The fleet's figures are read before the platform goes; a fleet that failed must not keep it open.
        const finishing = background?.finish(join(dir, "background-load"));
        backgroundLoad = await finishing?.catch((error: unknown) => {
          logger.error({ err: error }, "the background fleet failed");
          backgroundFailure = error instanceof Error ? error.message : String(error);
          return undefined;
        });
        await link?.close();
        await target.close();
        await capture.close();
      }
      const connect = target.frames.find((f) => f.direction === "in" && f.message.code === 1004)?.message
        .body as { devVersion?: string; model?: string } | undefined;
      const finishedAt = new Date();
      const evidence = recorder.evidence();
      const report: RunReport = {
        kind: "certification",
        title: `Certification of ${entry.deviceId}`,
        harness: harnessInfo(),
        command: `hilfarm ${process.argv.slice(2).join(" ")}`,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        wallMs: finishedAt.getTime() - startedAt.getTime(),
        seed: String(seed),
        target:
          link === undefined ? target.description : `${target.description}, device link ${link.description}`,
        device: {
          deviceId: entry.deviceId,
          ...((connect?.model ?? entry.model) ? { model: connect?.model ?? entry.model } : {}),
          ...(connect?.devVersion === undefined ? {} : { firmware: connect.devVersion }),
          ...(transports.size === 0 ? {} : { transport: [...transports].join(", ") }),
        },
        suites: [
          { name: SUITE, file: "scenarios/conformance/device-clauses.ts", cases },
          ...(lan === undefined
            ? []
            : [{ name: LAN_SUITE, file: "scenarios/conformance/lan-clauses.ts", cases: lanCases }]),
        ],
        latencies: evidence.latencies,
        online: evidence.online.length > 1 ? [{ label: entry.deviceId, points: evidence.online }] : [],
        evidence: capture.path,
        ...(backgroundLoad === undefined ? {} : { background: backgroundLoad }),
      };
      if (backgroundLoad !== undefined) report.suites.push(backgroundSuite(backgroundLoad));
      else if (backgroundFailure !== undefined)
        report.suites.push({
          name: `background load (${options.backgroundFleet})`,
          cases: [
            {
              clause: "",
              title: "the background fleet ran through the certification",
              status: "fail",
              detail: `the background fleet failed: ${backgroundFailure}; the device under test was not certified under load`,
              wallMs: 0,
              targetMs: 0,
            },
          ],
        });
      const written = await writeReports(dir, report);
      const t = totals(report);
      const verdict = t.failed > 0 || t.notRun > 0 ? "fail" : "pass";
      const underLoad =
        backgroundLoad === undefined
          ? {}
          : {
              background: {
                devices: backgroundLoad.devices,
                peakOnline: backgroundLoad.peakOnline,
                lostDevices: backgroundLoad.lostDevices,
                heartbeatP99Ms: backgroundLoad.latency.heartbeat.p99,
                report: backgroundLoad.report,
              },
            };
      io.stdout.write(
        `${JSON.stringify({ event: "summary", verdict, passed: t.passed, failed: t.failed, notApplicable: t.notApplicable, notRun: t.notRun, ...(stop.signal.aborted ? { stopped: String(stop.signal.reason) } : {}), reports: written, evidence: capture.path, ...underLoad })}\n`,
      );
      await settleLog(logger);
      if (verdict === "fail") setExitCode(1);
    });
}

/** The background fleet's outcome as a suite of its own: a run whose load fell away did not certify under load. */
function backgroundSuite(load: BackgroundLoad): SuiteReport {
  const held = load.lostDevices === 0 && load.peakOnline === load.devices;
  return {
    name: `background load (${load.fleet})`,
    cases: [
      {
        clause: "",
        title: `the background fleet of ${load.devices} emulated devices came online and stayed through the run`,
        status: held ? "pass" : "fail",
        detail: held
          ? `peak online ${load.peakOnline}, heartbeat p99 ${load.latency.heartbeat.p99} ms`
          : `peak online ${load.peakOnline} of ${load.devices}, ${load.lostDevices} lost: the device under test was not certified under the load asked for`,
        wallMs: load.seconds * 1000,
        targetMs: load.seconds * 1000,
      },
    ],
  };
}

/**
 * The device's LAN side as the Md clauses see it: on certify's real clock (clauses that must move time are not
 * applicable), lanKeys from certify's platform API, which holds the PIN, and the Mc state from its store.
 */
function certifiedLan(
  target: DeviceTarget,
  lan: { discovery: string; control: string },
  apiToken: string | undefined,
): LanTarget {
  const { deviceId } = target.device;
  const connect = target.frames.find((f) => f.direction === "in" && f.message.code === 1004)?.message.body as
    | { model?: string }
    | undefined;
  return lanTarget({
    deviceId,
    model: connect?.model ?? target.device.model ?? "",
    ...lan,
    credentials: platformCredentials(target.platform.addresses.http, deviceId, apiToken),
    clock: target.clock,
    virtualTime: false,
    mc: mcFromPlatform(target.platform, "the harness's platform"),
  });
}

/** While the device has not logged in, says so every 30 s on stderr: what the lab sees while it wires things up. */
function waitingLog(target: DeviceTarget, deviceId: string, logger: Logger) {
  const since = target.clock.now();
  let loggedIn = false;
  target.platform.events.on("login", (login) => {
    if (login.deviceId === deviceId) loggedIn = true;
  });
  const timer = target.clock.setInterval(
    () => {
      if (loggedIn) {
        timer.cancel();
        return;
      }
      logger.info(
        {
          deviceId,
          login: target.platform.addresses.login,
          waitedSeconds: Math.round((target.clock.now() - since) / 1000),
        },
        "waiting for the device to log in",
      );
    },
    30_000,
    "waiting-log",
  );
  return timer;
}
