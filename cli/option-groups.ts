import { isIP } from "node:net";
import { type Command, Option } from "commander";
import { FARM_NAME } from "../emulators/farm/farm-messages.ts";
import { DEFAULT_LAN_HOST, type FleetLanOptions, lanPlaces } from "../emulators/fleet/fleet-lan.ts";
import { LAN_KEY_LIVE_TIME_RANGE } from "../emulators/platform/api/lan-routes.ts";
import {
  DEFAULT_PORTS,
  type InteropOptions,
  type ThirdPartyOptions,
} from "../emulators/platform/platform-options.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { createLogger, type Logger } from "../harness/log/logger.ts";
import { framings } from "../harness/protocol/cts/envelope.ts";
import { DEFAULT_LAN_KEY_LIVE_TIME_S } from "../harness/protocol/md/lan-key.ts";
import { integerOption, portOption, seed31 } from "./options.ts";

/**
 * Options several commands take, each declared here once: flags, parsers and defaults. Where commands word an
 * option's help differently, each passes its own words.
 */

/** `--host`: the interface the device ports of the platform a command starts listen on. */
export const hostOption = {
  add: (command: Command, help: string): Command => command.option("--host <address>", help, "127.0.0.1"),
};

/** The values `platformPortOptions.add` gives a command. */
export interface PlatformPortCommandOptions {
  loginPort: number;
  tcpPort: number;
  udpPort: number;
  httpPort: number;
}

/** Help of each port, as the command words it. */
export interface PortHelp {
  login: string;
  tcp: string;
  udp: string;
  http: string;
}

/** `--login-port`, `--tcp-port`, `--udp-port`, `--http-port` of the platform a command starts; 0 = any free port. */
export const platformPortOptions = {
  add(command: Command, help: PortHelp): Command {
    return command
      .option("--login-port <port>", help.login, portOption("login-port"), DEFAULT_PORTS.login)
      .option("--tcp-port <port>", help.tcp, portOption("tcp-port"), DEFAULT_PORTS.tcp)
      .option("--udp-port <port>", help.udp, portOption("udp-port"), DEFAULT_PORTS.udp)
      .option("--http-port <port>", help.http, portOption("http-port"), DEFAULT_PORTS.http);
  },
  /** The platform options the values give. */
  platform: (options: PlatformPortCommandOptions) => ({
    loginPort: options.loginPort,
    tcpPort: options.tcpPort,
    udpPort: options.udpPort,
    httpPort: options.httpPort,
  }),
  /** The same, as a device target's `ports`. */
  ports: (options: PlatformPortCommandOptions) => ({
    login: options.loginPort,
    tcp: options.tcpPort,
    udp: options.udpPort,
    http: options.httpPort,
  }),
};

/** `--seed <n>`: a 31-bit seed unless the command gives another parser (a fleet's: any non-negative integer). */
export const seedOption = {
  add: (command: Command, help: string, parse: (text: string) => number = seed31): Command =>
    command.option("--seed <n>", help, parse),
};

/** The values `logOptions.add` gives a command. */
export interface LogCommandOptions {
  logLevel: string;
  logFile?: string;
}

/** `--log-level`, with the command's default level. */
export const logLevelOption = {
  add: (command: Command, level = "info"): Command =>
    command.option("--log-level <level>", "fatal, error, warn, info, debug or trace", level),
};

/** `--log-file` and `--log-level`; logs go to stderr without a file. */
export const logOptions = {
  add: (command: Command, level = "info"): Command =>
    logLevelOption.add(
      command.option("--log-file <file>", "write logs to this file instead of stderr"),
      level,
    ),
  /** The logger the values ask for. */
  logger: (options: LogCommandOptions, name: string): Logger =>
    createLogger({
      name,
      level: options.logLevel,
      ...(options.logFile === undefined ? {} : { destination: options.logFile }),
    }),
};

/** `--api-token`, or HILFARM_API_TOKEN: the bearer token of a platform's HTTP API. */
export const apiTokenOption = {
  add: (command: Command, help: string): Command =>
    command.addOption(new Option("--api-token <token>", help).env("HILFARM_API_TOKEN")),
};

/** The values `httpApiOptions.add` gives a command. */
export interface HttpApiCommandOptions {
  httpHost: string;
  apiToken?: string;
  lanKeyLiveTime: number;
}

/**
 * `--http-host`, `--api-token` (or HILFARM_API_TOKEN) and `--lan-key-live-time` for every command that starts the
 * reference platform: where its HTTP API listens, the bearer token the API then requires (needed beyond loopback),
 * and the `liveTime` of the Md lanKeys it gives.
 */
export const httpApiOptions = {
  add(command: Command): Command {
    return apiTokenOption
      .add(
        command.option(
          "--http-host <address>",
          "interface the HTTP API, /metrics and /firmware listen on (independent of --host); beyond loopback it needs --api-token",
          "127.0.0.1",
        ),
        "bearer token /api/* and /metrics require (Authorization: Bearer <token>); /firmware/* stays open for devices. Prefer the environment variable: arguments show in ps",
      )
      .option(
        "--lan-key-live-time <seconds>",
        "liveTime of the Md lanKeys POST /api/devices/:id/lan-key gives (6.2.2)",
        integerOption("lan-key-live-time", LAN_KEY_LIVE_TIME_RANGE.min, LAN_KEY_LIVE_TIME_RANGE.max),
        DEFAULT_LAN_KEY_LIVE_TIME_S,
      );
  },
  /** The platform options the values give. */
  platform: ({ httpHost, apiToken, lanKeyLiveTime }: HttpApiCommandOptions) => ({
    httpHost,
    ...(apiToken === undefined ? {} : { apiToken }),
    lanKeyLiveTimeS: lanKeyLiveTime,
  }),
  /** `apiAuth` of a ready line: whether the API needs a bearer token. */
  auth: ({ apiToken }: HttpApiCommandOptions): "bearer" | "none" =>
    apiToken === undefined ? "none" : "bearer",
};

/** The values `connectionLimitOptions.add` gives a command. */
export interface ConnectionLimitCommandOptions {
  maxConnections?: number;
  maxPendingConnections?: number;
  maxPendingPerAddress?: number;
}

/**
 * Caps on the device ports' TCP connections for commands that start the reference platform in front of a network
 * (defaults from emulators/platform/limits.ts: below the descriptor limit, with a reserve for the API).
 */
export const connectionLimitOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--max-connections <n>",
        "TCP connections held on the device ports at once (default: the descriptor limit less a reserve for the API)",
        integerOption("max-connections", 1, 10_000_000),
      )
      .option(
        "--max-pending-connections <n>",
        "connections not yet logged in or connected, in total (default 8192)",
        integerOption("max-pending-connections", 1, 10_000_000),
      )
      .option(
        "--max-pending-per-address <n>",
        "such connections from one source address (default 2048)",
        integerOption("max-pending-per-address", 1, 10_000_000),
      );
  },
  /** The platform's `limits` the values give (unset ones keep their defaults). */
  platform: (options: ConnectionLimitCommandOptions) => ({
    limits: Object.fromEntries(
      Object.entries({
        maxConnections: options.maxConnections,
        maxPendingConnections: options.maxPendingConnections,
        maxPendingPerAddress: options.maxPendingPerAddress,
      }).filter(([, value]) => value !== undefined),
    ) as { maxConnections?: number; maxPendingConnections?: number; maxPendingPerAddress?: number },
  }),
};

/** `--framing`: the frame dialect, CTS with a JSON or a Base64 envelope (for `addOption`). */
export const framingOption = (): Option =>
  new Option("--framing <dialect>", "frame dialect: CTS + JSON envelope, or CTS + Base64 envelope")
    .choices(framings)
    .default("cts-json");

const farmName = (text: string): string => {
  if (!FARM_NAME.test(text))
    throw new UsageError(
      "farm",
      `--farm must be 1-64 letters, digits, '.', '_' or '-', got ${showValue(text)}`,
    );
  return text;
};

/** `--farm`: the name of a load farm on its broker (several may share one). */
export const farmOption = {
  add: (command: Command, help: string): Command =>
    command.option("--farm <name>", help, farmName, "default"),
};

/** The values `lanOptions.add` gives a command. */
export interface LanCommandOptions {
  /** false with `--no-lan`. */
  lan: boolean;
  lanHost: string;
  lanPorts: "free" | "standard";
}

const lanHost = (text: string): string => {
  if (isIP(text) === 0)
    throw new UsageError("lan-host", `--lan-host must be an IP address, got ${showValue(text)}`);
  return text;
};

/**
 * `--no-lan`, `--lan-host` and `--lan-ports` for the commands that run a fleet: each device and gateway serves its LAN
 * side (Md, chapter 6: discovery on UDP, control on TCP) unless `--no-lan`.
 */
export const lanOptions = {
  add(command: Command): Command {
    return command
      .option("--no-lan", "no LAN side (Md discovery and control, chapter 6) for the devices")
      .option(
        "--lan-host <ip>",
        "address the devices' LAN sides listen on; with --lan-ports standard the first of one address per device",
        lanHost,
        DEFAULT_LAN_HOST,
      )
      .addOption(
        new Option(
          "--lan-ports <ports>",
          "free: ports the system picks; standard: 7680/7681 (6.1), each device on its own address counted up from --lan-host (e.g. 127.0.1.1)",
        )
          .choices(["free", "standard"])
          .default("free"),
      );
  },
  /**
   * The LAN settings of a run: the fleet file's `lan` section, each value overridden by its flag when the flag was
   * given on the command line (`source` says where a value came from: commander's `getOptionValueSource`).
   */
  merge(
    options: LanCommandOptions,
    file:
      | { enabled: boolean; host?: string | undefined; ports?: "free" | "standard" | undefined }
      | undefined,
    source: (option: string) => string | undefined,
  ): LanCommandOptions {
    const fromCli = (option: string) => source(option) === "cli";
    if (file === undefined) return options;
    return {
      lan: fromCli("lan") ? options.lan : file.enabled,
      lanHost: fromCli("lanHost") || file.host === undefined ? options.lanHost : file.host,
      lanPorts: fromCli("lanPorts") || file.ports === undefined ? options.lanPorts : file.ports,
    };
  },
  /** The fleet's `lan` option the values give. */
  fleet: (options: LanCommandOptions): FleetLanOptions | false =>
    options.lan ? { host: options.lanHost, ports: options.lanPorts } : false,
  /** Refuses, before anything starts, a `--lan-ports standard` whose addresses for `devices` do not fit. */
  check(options: LanCommandOptions, devices: number): void {
    const lan = lanOptions.fleet(options);
    if (lan === false) return;
    try {
      lanPlaces(devices, lan);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(
        "lan-host",
        `--lan-ports standard: ${error.message}; give --lan-host a first address with room for every device (e.g. 127.0.1.1), or use --lan-ports free`,
      );
    }
  },
};

/** The values `interopOptions.add` gives a command. */
export interface InteropCommandOptions {
  interopPlatformId?: string;
  interopPlatformKey?: string;
  interopPort: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsDir?: string;
  thirdPartyUrl?: string;
  thirdPartyCloudId?: string;
  thirdPartyCloudKey?: string;
  thirdPartyTimeout?: number;
}

/**
 * `--interop-platform-id`, `--interop-platform-key` (or HILFARM_INTEROP_PLATFORM_KEY), `--interop-port` and the TLS
 * files (`--tls-cert`, `--tls-key`, `--tls-ca`, or `--tls-dir` for a test PKI) of the platform's C11-C18 server
 * (chapter 7, HTTPS with mutual TLS): started only with `--interop-platform-id`.
 */
export const interopOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--interop-platform-id <id>",
        "serve C11-C18 (chapter 7) over HTTPS with mutual TLS; the platformId a third party's C11 presents",
      )
      .addOption(
        new Option(
          "--interop-platform-key <key>",
          "the platformKey that goes with it (exchanged offline, 7.2). Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_INTEROP_PLATFORM_KEY"),
      )
      .option(
        "--interop-port <port>",
        "port of the C11-C18 server; 0 = any free port",
        portOption("interop-port"),
        0,
      )
      .option("--tls-cert <file>", "PEM certificate the C11-C18 server presents")
      .option("--tls-key <file>", "its PEM private key")
      .option("--tls-ca <file>", "PEM CA the third party's client certificates must chain to")
      .option(
        "--tls-dir <dir>",
        "without --tls-cert: a test PKI in this directory (made when absent); the ready line names its client certificate",
      )
      .option(
        "--third-party-url <url>",
        "https://host:port of the third-party platform's C21-C31 (7.3.2): binds and controls of its devices go there",
      )
      .option(
        "--third-party-cloud-id <id>",
        "the cloudId the platform's C21 presents (exchanged offline, 7.2)",
      )
      .addOption(
        new Option(
          "--third-party-cloud-key <key>",
          "the cloudKey that goes with it. Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_THIRD_PARTY_CLOUD_KEY"),
      )
      .option(
        "--third-party-timeout <ms>",
        "longest wait for one C21-C31 answer",
        integerOption("third-party-timeout", 1, 600_000),
      );
  },
  /** The platform's `interop` section, or nothing without `--interop-platform-id`. */
  platform(options: InteropCommandOptions, host: string): { interop?: InteropOptions } {
    const {
      interopPlatformId: platformId,
      interopPlatformKey: platformKey,
      tlsCert,
      tlsKey,
      tlsCa,
      tlsDir,
    } = options;
    const files = [tlsCert, tlsKey, tlsCa];
    if (platformId === undefined) {
      if ([...files, tlsDir, options.thirdPartyUrl].some((f) => f !== undefined))
        throw new UsageError(
          "interop-platform-id",
          "--tls-cert, --tls-key, --tls-ca, --tls-dir and --third-party-url need --interop-platform-id",
        );
      return {};
    }
    if (platformKey === undefined || platformKey === "")
      throw new UsageError(
        "interop-platform-key",
        "--interop-platform-id needs --interop-platform-key (or HILFARM_INTEROP_PLATFORM_KEY)",
      );
    let tls: InteropOptions["tls"];
    if (tlsCert !== undefined && tlsKey !== undefined && tlsCa !== undefined)
      tls = { cert: tlsCert, key: tlsKey, ca: tlsCa };
    else if (files.some((f) => f !== undefined))
      throw new UsageError("tls-cert", "--tls-cert, --tls-key and --tls-ca go together");
    else if (tlsDir !== undefined) tls = { dir: tlsDir };
    else
      throw new UsageError(
        "tls-dir",
        "--interop-platform-id needs --tls-cert, --tls-key and --tls-ca, or --tls-dir for a test PKI",
      );
    const thirdParty = thirdPartyOf(options);
    return {
      interop: {
        platformId,
        platformKey,
        tls,
        port: options.interopPort,
        host,
        ...(thirdParty === undefined ? {} : { thirdParty }),
      },
    };
  },
};

/** `--third-party-*`: the third party the platform calls (C21-C31), or nothing without `--third-party-url`. */
function thirdPartyOf(options: InteropCommandOptions): ThirdPartyOptions | undefined {
  const { thirdPartyUrl: url, thirdPartyCloudId: cloudId, thirdPartyCloudKey: cloudKey } = options;
  if (url === undefined) {
    if (cloudId !== undefined || options.thirdPartyTimeout !== undefined)
      throw new UsageError(
        "third-party-url",
        "--third-party-cloud-id and --third-party-timeout need --third-party-url",
      );
    return undefined;
  }
  if (cloudId === undefined)
    throw new UsageError("third-party-cloud-id", "--third-party-url needs --third-party-cloud-id");
  if (cloudKey === undefined || cloudKey === "")
    throw new UsageError(
      "third-party-cloud-key",
      "--third-party-url needs --third-party-cloud-key (or HILFARM_THIRD_PARTY_CLOUD_KEY)",
    );
  return {
    url,
    cloudId,
    cloudKey,
    ...(options.thirdPartyTimeout === undefined ? {} : { timeoutMs: options.thirdPartyTimeout }),
  };
}
