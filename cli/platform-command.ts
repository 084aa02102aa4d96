import type { Command } from "commander";
import { RateLimitedWarning } from "../emulators/platform/guard.ts";
import { startDelayProbe } from "../harness/clock/delay-probe.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import { bridgeMqtt, bridgeSerial, type DeviceLinkBridge } from "../harness/link/device-links.ts";
import { settleLog } from "../harness/log/logger.ts";
import { cryptoRandom, randomSeed, seededRandom } from "../harness/random/random.ts";
import { type AqaraCommandOptions, aqaraOptions } from "./aqara-options.ts";
import type { CliIo } from "./io.ts";
import { type LockApiCommandOptions, lockApiOptions } from "./lock-api-options.ts";
import {
  type ConnectionLimitCommandOptions,
  connectionLimitOptions,
  type HttpApiCommandOptions,
  hostOption,
  httpApiOptions,
  type InteropCommandOptions,
  interopOptions,
  type LogCommandOptions,
  logOptions,
  type PlatformPortCommandOptions,
  platformPortOptions,
  seedOption,
} from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { type PushCommandOptions, pushOptions } from "./push-options.ts";
import { platformReadyLine } from "./ready-line.ts";
import { untilStopped } from "./until-stopped.ts";

export interface PlatformCommandOptions
  extends HttpApiCommandOptions,
    ConnectionLimitCommandOptions,
    PlatformPortCommandOptions,
    InteropCommandOptions,
    LockApiCommandOptions,
    AqaraCommandOptions,
    PushCommandOptions,
    LogCommandOptions {
  registry: string;
  host: string;
  advertisedHost?: string;
  connectionServers: number;
  heartbeat: number;
  authInterval: number;
  offlineHeartbeats: number;
  serial?: string;
  deviceLinkMqtt?: string;
  mqttUrl?: string;
  mqtt: boolean;
  firmwareDir?: string;
  seed?: number;
}

/** `hilfarm platform`: the reference platform as a process, for labs and for tests of other components. */
export function addPlatformCommand(program: Command, io: CliIo, waitForStop: () => Promise<string>): void {
  const command = program
    .command("platform")
    .description(
      "Run the reference platform: login server, TCP and UDP connection servers, the northbound HTTP API with\n" +
        "/metrics, firmware files, and MQTT fan-out of state changes. Prints one JSON line when ready; logs go to stderr.",
    )
    .requiredOption(
      "--registry <file>",
      "devices allowed to log in: JSON or CSV (deviceId,pin,bindKey,model,parentId)",
    );
  hostOption.add(
    command,
    "interface the device ports listen on (0.0.0.0 for a lab network); the HTTP API has --http-host",
  );
  command.option(
    "--advertised-host <address>",
    "address written into tcpHost/udpHost of the login response (default: --host)",
  );
  platformPortOptions.add(command, {
    login: "login server (TCP); 0 = any free port",
    tcp: "first TCP connection server; 0 = any free port",
    udp: "first UDP connection server; 0 = any free port",
    http: "northbound API, /metrics and /firmware; 0 = any free port",
  });
  connectionLimitOptions
    .add(httpApiOptions.add(command))
    .option(
      "--connection-servers <n>",
      "connection servers; server i listens on tcp-port+i and udp-port+i",
      integerOption("connection-servers", 1, 64),
      1,
    )
    .option(
      "--heartbeat <seconds>",
      "heartBeat sent in 1005; offline after 3 x heartbeat + 10 s",
      integerOption("heartbeat", 1, 86400),
      30,
    )
    .option(
      "--auth-interval <seconds>",
      "authInterval sent in 1005: login retry after 3 failures",
      integerOption("auth-interval", 1, 86400),
      600,
    )
    .option(
      "--offline-heartbeats <n>",
      "DELIBERATE DEVIATION for checking conformance suites: offline after n heartbeats + 10 s instead of the spec's 3",
      integerOption("offline-heartbeats", 1, 100),
      3,
    )
    .option("--mqtt-url <url>", "publish state changes to this broker instead of the embedded one")
    .option("--no-mqtt", "no MQTT fan-out at all")
    .option("--firmware-dir <dir>", "serve every file of this directory at /firmware/<name>");
  seedOption.add(
    command,
    "seed for sequences, and for tokens and session keys (without it, those come from a cryptographic source)",
  );
  command
    .option(
      "--serial <port>",
      "also bridge a device on this UART into the platform (serial:///dev/ttyUSB0?baud=115200&transport=tcp, or a path)",
    )
    .option(
      "--device-link-mqtt <url>",
      "also bridge devices whose module speaks MQTT: frames on hilfarm/link/<deviceId>/up|down at this broker (mqtt://[user:password@]host:port[?transport=udp&framing=cts-base64], or embedded)",
    );
  interopOptions.add(command);
  lockApiOptions.add(command);
  aqaraOptions.add(command);
  pushOptions.add(command);
  logOptions
    .add(command)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm platform --registry examples/registry/lab.json\n" +
        "  hilfarm platform --registry lab.csv --host 0.0.0.0 --advertised-host 192.0.2.10 --heartbeat 5\n" +
        "  HILFARM_API_TOKEN=... hilfarm platform --registry lab.csv --host 0.0.0.0 --http-host 0.0.0.0 --advertised-host 192.0.2.10\n" +
        "  hilfarm platform --registry lab.json --login-port 0 --tcp-port 0 --udp-port 0 --http-port 0 --no-mqtt\n" +
        "  hilfarm platform --registry lab.csv --serial 'serial:///dev/ttyUSB0?baud=115200'\n",
    )
    .action(async (options: PlatformCommandOptions) => {
      const { loadRegistry } = await import("../emulators/platform/registry/index.ts");
      const { startPlatform } = await import("../emulators/platform/platform.ts");
      const registry = await loadRegistry(options.registry);
      const logger = logOptions.logger(options, "platform");
      const seed = options.seed ?? randomSeed();
      const platform = await startPlatform({
        registry,
        clock: new RealClock(),
        random: seededRandom(seed),
        // Tokens and session keys: reproducible when the run asks for it with --seed, unpredictable otherwise.
        ...(options.seed === undefined ? { secretRandom: cryptoRandom() } : {}),
        logger,
        host: options.host,
        ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
        ...platformPortOptions.platform(options),
        ...httpApiOptions.platform(options),
        ...connectionLimitOptions.platform(options),
        connectionServers: options.connectionServers,
        timing: {
          heartbeatSeconds: options.heartbeat,
          authIntervalSeconds: options.authInterval,
          offlineHeartbeats: options.offlineHeartbeats,
        },
        mqtt: !options.mqtt ? "none" : options.mqttUrl === undefined ? "embedded" : { url: options.mqttUrl },
        ...(options.firmwareDir === undefined ? {} : { firmwareDir: options.firmwareDir }),
        ...interopOptions.platform(options, options.host),
        ...lockApiOptions.platform(options, options.host),
        ...aqaraOptions.platform(options, options.host),
        ...pushOptions.platform(options),
      });
      // The platform's own delay, in its /metrics: a load run on the same machine sets it beside its round trips.
      const delayProbe = startDelayProbe(new RealClock(), (late, period) =>
        platform.metrics.recordOwnDelay(late, period),
      );
      const { login, tcp, udp, connectionServers } = platform.addresses;
      const bridged = { login, tcp: connectionServers[0]?.tcp ?? tcp, udp: connectionServers[0]?.udp ?? udp };
      const links: DeviceLinkBridge[] = [];
      // Anyone on the broker can name any id: one warning a minute, however many ids.
      const unregistered = new RateLimitedWarning(logger, new RealClock());
      try {
        if (options.serial !== undefined)
          links.push(await bridgeSerial(options.serial, bridged, { clock: new RealClock(), logger }));
        if (options.deviceLinkMqtt !== undefined)
          links.push(
            await bridgeMqtt(options.deviceLinkMqtt, bridged, {
              logger,
              host: options.host,
              only: (deviceId) => {
                if (registry.has(deviceId)) return true;
                unregistered.warn(
                  "device-link",
                  { deviceId },
                  "frames on an MQTT device link from a device not in the registry: ignored (add it to --registry)",
                );
                return false;
              },
              option: "--device-link-mqtt",
            }),
          );
      } catch (error) {
        delayProbe.cancel();
        for (const link of links) await link.close();
        await platform.close();
        throw error;
      }
      const deviceLinks = links.map((l) => l.description);
      io.stdout.write(
        platformReadyLine(
          platform.addresses,
          httpApiOptions.auth(options),
          deviceLinks.length === 0 ? {} : { deviceLinks },
        ),
      );
      logger.info({ seed, devices: registry.size }, "waiting for devices: point them at the login address");
      const signal = await untilStopped(waitForStop);
      logger.info({ signal }, "stopping");
      delayProbe.cancel();
      for (const link of links) await link.close();
      await platform.close();
      await settleLog(logger);
    });
}
