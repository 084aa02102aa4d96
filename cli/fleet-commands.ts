import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { Fleet } from "../emulators/fleet/fleet.ts";
import type { FleetLanOptions } from "../emulators/fleet/fleet-lan.ts";
import { type FleetPlan, fleetRegistry, fleetRegistryJson } from "../emulators/fleet/fleet-plan.ts";
import { keypadRoutes } from "../emulators/fleet/keypad-routes.ts";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { deviceSideConnector } from "../harness/link/device-links.ts";
import { FaultyConnector, type LinkFaults } from "../harness/link/faults.ts";
import { parseFaults } from "../harness/link/parse-faults.ts";
import { type Connector, socketConnector } from "../harness/link/socket-link.ts";
import type { Logger } from "../harness/log/logger.ts";
import { settleLog } from "../harness/log/logger.ts";
import { cryptoRandom, seededRandom } from "../harness/random/random.ts";
import { type AqaraCommandOptions, aqaraOptions } from "./aqara-options.ts";
import type { CliIo } from "./io.ts";
import { type LockApiCommandOptions, lockApiOptions } from "./lock-api-options.ts";
import {
  type HttpApiCommandOptions,
  hostOption,
  httpApiOptions,
  type InteropCommandOptions,
  interopOptions,
  type LanCommandOptions,
  type LogCommandOptions,
  lanOptions,
  logOptions,
  type PlatformPortCommandOptions,
  platformPortOptions,
  seedOption,
} from "./option-groups.ts";
import { nonNegativeSeed } from "./options.ts";
import { type PushCommandOptions, pushOptions } from "./push-options.ts";
import { platformReadyLine } from "./ready-line.ts";
import { attachRealDevices, type RealDevices } from "./real-devices.ts";
import { startUpThirdParty } from "./third-party-up.ts";
import { untilStopped } from "./until-stopped.ts";

/** A keypad request is a code of a few digits. */
const KEYPAD_BODY_LIMIT = 4096;

interface FleetCommandOptions extends LogCommandOptions, LanCommandOptions {
  fleet: string;
  faults?: Partial<LinkFaults>;
  seed?: number;
  registryOut?: string;
  summaryAfter: number;
}

const secondsOption = (text: string): number => {
  const n = Number(text);
  if (!(n > 0 && n <= 3600))
    throw new UsageError("summary-after", `--summary-after must be 1..3600 seconds, got ${showValue(text)}`);
  return n;
};

/**
 * Prints `{"event":"summary",...}` once every device is online (a mixed fleet's real devices too), or after
 * `seconds` with what is online then, on the real clock; the real devices come first, each with its state, and
 * `extra` goes with it.
 */
function printSummary(
  fleet: Fleet,
  io: CliIo,
  seconds: number,
  extra: Record<string, unknown> = {},
  real: () => Array<{ online: boolean }> | undefined = () => undefined,
): () => void {
  const clock = new RealClock();
  let printed = false;
  const print = () => {
    if (printed) return;
    printed = true;
    poll.cancel();
    deadline.cancel();
    const realNow = real();
    io.stdout.write(
      `${JSON.stringify({ event: "summary", ...(realNow === undefined ? {} : { real: realNow }), ...fleet.summary(), ...extra })}\n`,
    );
  };
  const poll = clock.setInterval(
    () => {
      const summary = fleet.summary();
      if (summary.online === summary.devices && (real() ?? []).every((r) => r.online)) print();
    },
    200,
    "summary-poll",
  );
  const deadline = clock.setTimeout(print, seconds * 1000, "summary-deadline");
  return () => {
    poll.cancel();
    deadline.cancel();
  };
}

/** The fleet, its LAN sides listening (unless `lan` is false), every device powered on. */
async function startFleet(
  plan: FleetPlan,
  loginAddress: string,
  logger: Logger,
  faults: Partial<LinkFaults> | undefined,
  lan: FleetLanOptions | false,
  links: (deviceId: string) => Connector = (() => {
    const sockets = socketConnector();
    return () => sockets;
  })(),
  clock = new RealClock(),
): Promise<Fleet> {
  const random = seededRandom(plan.seed);
  // With --faults, every device's links suffer them, each with its own randomness from the seed.
  const connector = (deviceId: string): Connector =>
    faults === undefined
      ? links(deviceId)
      : new FaultyConnector(links(deviceId), clock, random.fork(`link/${deviceId}`), faults);
  const fleet = new Fleet({ plan, loginAddress, clock, random, logger, connector, lan });
  // Listening before power-on: each device's onConfig window (6.2.1) opens at its power-on.
  const addresses = await fleet.startLan();
  if (lan !== false) logger.info({ lan: addresses }, "LAN sides listening");
  fleet.powerOn();
  return fleet;
}

function commonOptions(command: Command): Command {
  command.requiredOption(
    "--fleet <file>",
    "fleet file: devices per profile, gateways with sub-devices (see examples/fleet.json)",
  );
  seedOption.add(command, "override the fleet's seed (device ids, PINs, sequences)", nonNegativeSeed);
  command
    .option("--registry-out <file>", "also write the fleet's registry (JSON) for a platform to load")
    .option(
      "--faults <list>",
      "faults on every device's links: latency, jitter (ms), drop, duplicate, reorder, corrupt (0..1), bandwidth (B/s), slow-close (ms), direction",
      parseFaults,
    )
    .option(
      "--summary-after <seconds>",
      "print the summary then, even if not every device is online",
      secondsOption,
      30,
    );
  return logOptions.add(lanOptions.add(command));
}

/** `hilfarm up` (platform and fleet in one process) and `hilfarm devices` (a fleet against any platform). */
export function addFleetCommands(program: Command, io: CliIo, waitForStop: () => Promise<string>): void {
  const up = commonOptions(
    program
      .command("up")
      .description(
        "Start the reference platform and a fleet of emulated devices in one process, on embedded defaults.\n" +
          "Prints the platform's ready line, then a summary of devices online by model; runs until Ctrl-C.",
      ),
  );
  hostOption.add(up, "interface the platform's device ports listen on");
  platformPortOptions.add(up, {
    login: "login server; 0 = any free port",
    tcp: "TCP connection server; 0 = any free port",
    udp: "UDP connection server; 0 = any free port",
    http: "northbound API; 0 = any free port",
  });
  interopOptions.add(up);
  lockApiOptions.add(up);
  aqaraOptions.add(up);
  pushOptions.add(up);
  httpApiOptions
    .add(up)
    .option("--no-mqtt", "no MQTT fan-out")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm up --fleet examples/fleet.json\n  hilfarm up --fleet examples/fleet.json --http-port 0 --login-port 0 --tcp-port 0 --udp-port 0\n" +
        "  hilfarm up --fleet examples/fleet.json --lan-ports standard --lan-host 127.0.1.1   # LAN sides on 7680/7681\n",
    )
    .action(
      async (
        cliOptions: FleetCommandOptions &
          HttpApiCommandOptions &
          InteropCommandOptions &
          LockApiCommandOptions &
          AqaraCommandOptions &
          PushCommandOptions &
          PlatformPortCommandOptions & { host: string; mqtt: boolean },
        command: Command,
      ) => {
        const { Registry } = await import("../emulators/platform/registry/index.ts");
        const { startPlatform } = await import("../emulators/platform/platform.ts");
        const plan = await loadFleetPlan(cliOptions.fleet, cliOptions.seed);
        const options = {
          ...cliOptions,
          ...lanOptions.merge(cliOptions, plan.lan, (o) => command.getOptionValueSource(o)),
        };
        lanOptions.check(options, plan.devices.length);
        if (options.registryOut !== undefined) await writeFile(options.registryOut, fleetRegistryJson(plan));
        const logger = logOptions.logger(options, "hilfarm");
        // A fleet file's thirdParty section: an emulated third party beside the platform, on one PKI (chapter 7).
        const thirdParty = await startUpThirdParty(
          options.fleet,
          options,
          logger.child({ side: "third-party" }),
        );
        let platform: Awaited<ReturnType<typeof startPlatform>>;
        // The fleet starts after the platform; its keypads are reachable through the API once it runs.
        let running: Fleet | undefined;
        try {
          platform = await startPlatform({
            routes: [keypadRoutes(() => running, KEYPAD_BODY_LIMIT)],
            registry: Registry.fromDevices(fleetRegistry(plan)),
            clock: new RealClock(),
            random: seededRandom(plan.seed),
            secretRandom: cryptoRandom(),
            logger: logger.child({ side: "platform" }),
            host: options.host,
            ...platformPortOptions.platform(options),
            ...httpApiOptions.platform(options),
            mqtt: options.mqtt ? "embedded" : "none",
            ...(thirdParty?.interop(options, options.host) ?? interopOptions.platform(options, options.host)),
            ...lockApiOptions.platform(options, options.host),
            ...aqaraOptions.platform(options, options.host),
            ...pushOptions.platform(options),
          });
          await thirdParty?.connect(platform.addresses);
        } catch (error) {
          await thirdParty?.close();
          throw error;
        }
        let fleet: Fleet;
        let real: RealDevices | undefined;
        try {
          const { login, connectionServers } = platform.addresses;
          const server = connectionServers[0];
          real = await attachRealDevices(
            plan.real ?? [],
            { login, tcp: server?.tcp ?? "", udp: server?.udp ?? "" },
            { clock: new RealClock(), logger: logger.child({ side: "real devices" }), host: options.host },
          );
          fleet = await startFleet(
            plan,
            platform.addresses.login,
            logger.child({ side: "devices" }),
            options.faults,
            lanOptions.fleet(options),
          );
        } catch (error) {
          await real?.close();
          await platform.close();
          await thirdParty?.close();
          throw error;
        }
        running = fleet;
        const realDevices = real;
        io.stdout.write(
          platformReadyLine(platform.addresses, httpApiOptions.auth(options), {
            ...(plan.real === undefined ? {} : { real: realDevices.described() }),
            lan: fleet.lanAddresses(),
            ...thirdParty?.ready(),
          }),
        );
        // A mixed fleet's real devices come first in the summary, each marked and with its own state.
        const stopSummary = printSummary(fleet, io, options.summaryAfter, {}, () =>
          plan.real === undefined
            ? undefined
            : realDevices.results((id) => platform.sessionOf(id) !== undefined),
        );
        const signal = await untilStopped(waitForStop);
        logger.info({ signal }, "stopping");
        stopSummary();
        await fleet.close();
        await realDevices.close();
        await platform.close();
        await thirdParty?.close();
        await settleLog(logger);
      },
    );

  commonOptions(
    program
      .command("devices")
      .description(
        "Attach a fleet of emulated devices to a platform (ours or any other) at its login address; runs until Ctrl-C.",
      ),
  )
    .option("--platform <host:port>", "the platform's login server (over the network)")
    .option(
      "--serial <port>",
      "instead: the fleet's one device talks over this UART (serial:///dev/pts/3?baud=115200, or a path), as behind a device's Wi-Fi module",
    )
    .option(
      "--mqtt-link <url>",
      "instead: every device talks over MQTT topics hilfarm/link/<deviceId>/up|down at this broker (mqtt://host:port)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm devices --fleet examples/fleet.json --platform 127.0.0.1:8700 --registry-out fleet-registry.json\n" +
        "  hilfarm devices --fleet lock.json --serial /dev/pts/3       # a known-good device to check a lab's wiring\n" +
        "  hilfarm devices --fleet examples/fleet.json --mqtt-link mqtt://127.0.0.1:1883\n",
    )
    .action(
      async (
        cliOptions: FleetCommandOptions & { platform?: string; serial?: string; mqttLink?: string },
        command: Command,
      ) => {
        let options = cliOptions;
        const ways = [options.platform, options.serial, options.mqttLink].filter(
          (w) => w !== undefined,
        ).length;
        if (ways !== 1)
          throw new UsageError(
            "platform",
            "give one of --platform <host:port>, --serial <port> or --mqtt-link <url>",
          );
        if (options.platform !== undefined && !/^.+:\d+$/.test(options.platform)) {
          throw new UsageError(
            "platform",
            `--platform must be host:port, got ${showValue(options.platform)}`,
          );
        }
        const plan = await loadFleetPlan(options.fleet, options.seed);
        options = {
          ...options,
          ...lanOptions.merge(options, plan.lan, (o) => command.getOptionValueSource(o)),
        };
        lanOptions.check(options, plan.devices.length);
        const topLevel = plan.devices;
        if (options.serial !== undefined && topLevel.length !== 1)
          throw new UsageError(
            "serial",
            `a serial port carries one device (a gateway counts as one); ${options.fleet} has ${topLevel.length}`,
          );
        if (options.registryOut !== undefined) await writeFile(options.registryOut, fleetRegistryJson(plan));
        const logger = logOptions.logger(options, "devices");
        const clock = new RealClock();
        const link =
          options.platform === undefined
            ? await deviceSideConnector(
                {
                  ...(options.serial === undefined ? {} : { serial: options.serial }),
                  ...(options.mqttLink === undefined ? {} : { mqttLink: options.mqttLink }),
                },
                { clock, logger },
              )
            : undefined;
        if (link !== undefined)
          logger.info({ link: link.description }, "devices talk over a link without connections");
        let fleet: Fleet;
        try {
          fleet = await startFleet(
            plan,
            options.platform ?? "bridged",
            logger,
            options.faults,
            lanOptions.fleet(options),
            link?.connector,
            clock,
          );
        } catch (error) {
          await link?.close();
          throw error;
        }
        const stopSummary = printSummary(fleet, io, options.summaryAfter, { lan: fleet.lanAddresses() });
        const signal = await untilStopped(waitForStop);
        logger.info({ signal }, "stopping");
        stopSummary();
        await fleet.close();
        await link?.close();
        await settleLog(logger);
      },
    );

  const registry = program
    .command("registry")
    .description(
      "Print the registry (JSON) a platform needs for a fleet: provision it before attaching the devices.",
    )
    .requiredOption("--fleet <file>", "fleet file");
  seedOption
    .add(registry, "override the fleet's seed", nonNegativeSeed)
    .addHelpText(
      "after",
      "\nExample:\n  hilfarm registry --fleet examples/fleet.json > fleet-registry.json\n",
    )
    .action(async (options: { fleet: string; seed?: number }) => {
      io.stdout.write(fleetRegistryJson(await loadFleetPlan(options.fleet, options.seed)));
    });
}
