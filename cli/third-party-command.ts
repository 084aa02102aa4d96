import { type Command, Option } from "commander";
import { loadFleetFile } from "../emulators/fleet/fleet-file.ts";
import type { FleetThirdParty } from "../emulators/fleet/fleet-third-party.ts";
import type { InteropTls } from "../emulators/platform/platform-options.ts";
import { loadProfiles } from "../emulators/profiles/load.ts";
import type { Profile } from "../emulators/profiles/schema.ts";
import type { TpFleetSpec, TpGatewaySpec } from "../emulators/third-party/devices.ts";
import {
  startThirdPartyPlatform,
  type ThirdPartyMisbehaviour,
  type ThirdPartyPlatform,
} from "../emulators/third-party/index.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { settleLog } from "../harness/log/logger.ts";
import { cryptoRandom, seededRandom } from "../harness/random/random.ts";
import type { CliIo } from "./io.ts";
import { hostOption, type LogCommandOptions, logOptions, seedOption } from "./option-groups.ts";
import { integerOption, portOption } from "./options.ts";
import { untilStopped } from "./until-stopped.ts";

export interface ThirdPartyCommandOptions extends LogCommandOptions {
  cloudId?: string;
  cloudKey?: string;
  port: number;
  host: string;
  devices?: Array<{ profile: string; count: number }>;
  fleet?: string;
  smartHomeUrl?: string;
  platformId?: string;
  platformKey?: string;
  tlsDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tokenLifetime?: number;
  slowAnswersMs?: number;
  tokenLifetimeMs?: number;
  wrongCodes?: boolean;
  dropNotifications?: boolean;
  bindAll?: boolean;
  seed?: number;
}

/** `smart-lock:1,zigbee-gateway:1,zigbee-switch:2` -> entries, in order. */
export function parseDeviceList(text: string): Array<{ profile: string; count: number }> {
  return text.split(",").map((part) => {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*(?::\s*(\d+))?\s*$/.exec(part);
    if (match === null)
      throw new UsageError(
        "devices",
        `--devices: expected profile:count[,profile:count...], got ${showValue(part)}`,
      );
    return { profile: match[1] as string, count: Number(match[2] ?? "1") };
  });
}

/** `--devices` entries as a fleet spec: a sub-device profile goes under the gateways of the entry before it. */
export function devicesSpec(
  entries: ReadonlyArray<{ profile: string; count: number }>,
  profiles: ReadonlyMap<string, Profile>,
): TpFleetSpec {
  const devices: Array<{ profile: string; count: number }> = [];
  const gateways: TpGatewaySpec[] = [];
  for (const entry of entries) {
    const kind = profiles.get(entry.profile)?.kind;
    if (kind === "gateway") gateways.push({ ...entry, subDevices: [] });
    else if (kind === "sub-device") {
      const gateway = gateways.at(-1);
      if (gateway === undefined)
        throw new UsageError(
          "devices",
          `--devices: ${entry.profile} is a sub-device: list a gateway profile before it`,
        );
      gateway.subDevices?.push(entry);
    } else devices.push(entry);
  }
  return { devices, gateways };
}

function tlsOf(o: ThirdPartyCommandOptions): InteropTls {
  const files = [o.tlsCert, o.tlsKey, o.tlsCa];
  if (files.every((f) => f !== undefined))
    return { cert: o.tlsCert, key: o.tlsKey, ca: o.tlsCa } as InteropTls;
  if (files.some((f) => f !== undefined))
    throw new UsageError("tls-cert", "--tls-cert, --tls-key and --tls-ca go together");
  if (o.tlsDir !== undefined) return { dir: o.tlsDir };
  throw new UsageError("tls-dir", "give --tls-dir for a test PKI, or --tls-cert, --tls-key and --tls-ca");
}

function misbehaviourOf(
  o: ThirdPartyCommandOptions,
  section?: FleetThirdParty,
): Partial<ThirdPartyMisbehaviour> {
  return {
    ...section?.misbehaviour,
    ...(o.slowAnswersMs === undefined ? {} : { slowAnswersMs: o.slowAnswersMs }),
    ...(o.tokenLifetimeMs === undefined ? {} : { tokenLifetimeMs: o.tokenLifetimeMs }),
    ...(o.wrongCodes === true ? { wrongCodes: true } : {}),
    ...(o.dropNotifications === true ? { dropNotifications: true } : {}),
  };
}

/** The ready line: where the C21-C31 server is, the test PKI, and each device's SN. */
export function thirdPartyReady(tp: ThirdPartyPlatform): Record<string, unknown> {
  return {
    url: tp.url,
    ...(tp.pki === undefined ? {} : { pki: tp.pki }),
    devices: tp.devices.map((d) => ({
      deviceSN: d.deviceSN,
      deviceType: d.deviceType,
      ...(d.gwId === undefined ? {} : { gwId: d.gwId }),
    })),
  };
}

const ms = (name: string) => integerOption(name, 0, 86_400_000);

/** `hilfarm third-party`: an emulated third-party platform (chapter 7, C21-C31) as a process. */
export function addThirdPartyCommand(program: Command, io: CliIo, waitForStop: () => Promise<string>): void {
  const command = program
    .command("third-party")
    .description(
      "Run an emulated third-party platform (chapter 7): the C21-C31 server over HTTPS with mutual TLS, holding\n" +
        "devices made from hilfarm's profiles, reporting their changes (C12-C18) to a smart-home platform once bound.\n" +
        "Prints one JSON line when ready (its URL, the test PKI, the devices' SNs); logs go to stderr.",
    )
    .option("--cloud-id <id>", "the cloudId the smart-home platform's C21 presents (7.3.2.1)")
    .addOption(
      new Option("--cloud-key <key>", "the cloudKey that goes with it. Prefer the environment variable").env(
        "HILFARM_THIRD_PARTY_CLOUD_KEY",
      ),
    )
    .option("--port <port>", "port of the C21-C31 server; 0 = any free port", portOption("port"), 0);
  hostOption.add(command, "interface the C21-C31 server listens on");
  command
    .option(
      "--devices <list>",
      "profile:count,... (a sub-device profile goes under the gateway listed before it)",
      parseDeviceList,
    )
    .option(
      "--fleet <file>",
      "instead: the thirdParty section of a fleet file (devices, credentials, switches)",
    )
    .option(
      "--smart-home-url <url>",
      "the smart-home platform's C11-C18 server (https://host:port) to report to",
    )
    .option("--platform-id <id>", "the platformId the third party's C11 presents (7.3.1.1)")
    .addOption(
      new Option("--platform-key <key>", "the platformKey that goes with it").env(
        "HILFARM_INTEROP_PLATFORM_KEY",
      ),
    )
    .option(
      "--tls-dir <dir>",
      "a test PKI in this directory (made when absent): server.pem served, client.pem presented",
    )
    .option(
      "--tls-cert <file>",
      "PEM certificate the server presents (and the client, to the smart-home platform)",
    )
    .option("--tls-key <file>", "its PEM private key")
    .option("--tls-ca <file>", "PEM CA the peers' certificates must chain to")
    .option(
      "--token-lifetime <ms>",
      "lifetime of a C21 token (default 2 hours)",
      integerOption("token-lifetime", 1, 2 ** 31),
    )
    .option("--slow-answers-ms <ms>", "MISBEHAVIOUR: hold every answer this long", ms("slow-answers-ms"))
    .option(
      "--token-lifetime-ms <ms>",
      "MISBEHAVIOUR: tokens that expire this early",
      ms("token-lifetime-ms"),
    )
    .option("--wrong-codes", "MISBEHAVIOUR: 9999 for a bad token, 0 for an unknown device")
    .option("--drop-notifications", "MISBEHAVIOUR: never send C12-C18")
    .option("--bind-all", "bind every device at start, as if C22/C24 had come, and report them");
  seedOption.add(command, "seed for tokens and sequence digits (default: a cryptographic source)");
  logOptions
    .add(command)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm third-party --cloud-id sh-1 --cloud-key k --tls-dir pki --devices smart-lock:1,zigbee-gateway:1,zigbee-switch:2 \\\n" +
        "    --smart-home-url https://127.0.0.1:8443 --platform-id tp-1 --platform-key k2\n" +
        "  hilfarm third-party --fleet examples/fleet-third-party.json --tls-dir pki --wrong-codes\n",
    )
    .action(async (options: ThirdPartyCommandOptions) => {
      const file = options.fleet === undefined ? undefined : await loadFleetFile(options.fleet);
      const section = file?.thirdParty;
      if (options.fleet !== undefined && section === undefined)
        throw new UsageError("fleet", `--fleet ${options.fleet}: no thirdParty section`);
      const profiles = await loadProfiles(file?.profiles);
      const spec: TpFleetSpec = section ?? devicesSpec(options.devices ?? [], profiles);
      const cloudId = options.cloudId ?? section?.cloudId;
      const cloudKey = options.cloudKey ?? section?.cloudKey;
      if (cloudId === undefined || cloudKey === undefined)
        throw new UsageError(
          "cloud-id",
          "give --cloud-id and --cloud-key (or a --fleet with a thirdParty section)",
        );
      const platformId = options.platformId ?? section?.platformId;
      const platformKey = options.platformKey ?? section?.platformKey;
      if (options.smartHomeUrl !== undefined && (platformId === undefined || platformKey === undefined))
        throw new UsageError("platform-id", "--smart-home-url needs --platform-id and --platform-key");
      const logger = logOptions.logger(options, "third-party");
      const tokenLifetimeMs = options.tokenLifetime ?? section?.tokenLifetimeMs;
      const tp = await startThirdPartyPlatform({
        ...spec,
        cloudId,
        cloudKey,
        tls: tlsOf(options),
        host: options.host,
        port: options.port,
        clock: new RealClock(),
        random: options.seed === undefined ? cryptoRandom() : seededRandom(options.seed),
        logger,
        profiles,
        misbehaviour: misbehaviourOf(options, section),
        ...(tokenLifetimeMs === undefined ? {} : { tokenLifetimeMs }),
        ...(options.smartHomeUrl === undefined
          ? {}
          : {
              smartHome: {
                url: options.smartHomeUrl,
                platformId: platformId as string,
                platformKey: platformKey as string,
              },
            }),
      });
      if (options.bindAll === true) tp.bindAll();
      io.stdout.write(`${JSON.stringify({ event: "ready", ...thirdPartyReady(tp) })}\n`);
      const signal = await untilStopped(waitForStop);
      logger.info({ signal }, "stopping");
      await tp.close();
      await settleLog(logger);
    });
}
