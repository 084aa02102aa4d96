import { type Command, Option } from "commander";
import { LanAnswerError, LanClient, type LanCredentials } from "../emulators/app/lan-client.ts";
import { type DiscoveryResult, discoverDevices, MD_DISCOVERY_PORT } from "../emulators/app/lan-discovery.ts";
import { lanKeyFromPlatform, newLanRand } from "../emulators/app/platform-lan-key.ts";
import { HilfarmError, showValue, UsageError } from "../harness/errors.ts";
import { splitAddress } from "../harness/link/socket-link.ts";
import { type FlagOrder, flagOrders } from "../harness/protocol/md/discovery.ts";
import { lanKeyFor } from "../harness/protocol/md/lan-key.ts";
import { cryptoRandom } from "../harness/random/random.ts";
import type { CliIo } from "./io.ts";
import { apiTokenOption } from "./option-groups.ts";
import { integerOption, portOption } from "./options.ts";

interface SessionOptions {
  device: string;
  address: string;
  platformApi?: string;
  apiToken?: string;
  pin?: string;
  liveTime: number;
  timeout: number;
}

function attributeAssignment(text: string, previous: Record<string, number | string> = {}) {
  const at = text.indexOf("=");
  const key = text.slice(0, at);
  if (at < 1 || !/^[1-9]\d{0,4}$/.test(key)) {
    throw new UsageError("set", `--set takes <attribute number>=<value>, got ${showValue(text)}`);
  }
  const raw = text.slice(at + 1);
  // 6.2.3: numbered attributes; a value that reads as a number travels as one.
  previous[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  return previous;
}

function hostPortOption(name: string) {
  return (text: string): string => {
    try {
      splitAddress(text);
    } catch {
      throw new UsageError(name, `--${name} must be host:port, got ${showValue(text)}`);
    }
    return text;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, hostPortOption("target")(value)];

function sessionCommand(command: Command): Command {
  command
    .requiredOption("--device <id>", "the device (or gateway) id")
    .requiredOption(
      "--address <host:port>",
      "the device's LAN control port (6.2.2: 7681)",
      hostPortOption("address"),
    )
    .option(
      "--platform-api <url>",
      "the platform's API, which gives the lanKey for a rand (POST /api/devices/:id/lan-key)",
    )
    .option(
      "--pin <pin>",
      "the device PIN (32 characters), for a device with no platform: the lanKey is computed here",
    )
    .option("--live-time <seconds>", "liveTime sent with --pin", integerOption("live-time", 1, 86400), 300)
    .option("--timeout <seconds>", "how long an answer is awaited", integerOption("timeout", 1, 600), 5);
  return apiTokenOption.add(command, "bearer token of the platform API (or HILFARM_API_TOKEN)");
}

async function credentials(options: SessionOptions): Promise<LanCredentials> {
  const rand = newLanRand(cryptoRandom());
  if ((options.platformApi === undefined) === (options.pin === undefined)) {
    throw new UsageError(
      "platform-api",
      "give --platform-api (the platform gives the lanKey) or --pin, one of them",
    );
  }
  if (options.pin !== undefined)
    return { rand, lanKey: lanKeyFor(rand, options.pin), liveTime: options.liveTime };
  return lanKeyFromPlatform({
    api: options.platformApi as string,
    deviceId: options.device,
    rand,
    apiToken: options.apiToken,
  });
}

/** Connects and authenticates; writes the `auth` line; undefined (and exit code 1) when the device refuses. */
async function open(options: SessionOptions, io: CliIo, setExitCode: (code: number) => void) {
  const client = await LanClient.connect(options.address, {
    deviceId: options.device,
    timeoutMs: options.timeout * 1000,
  });
  const auth = await client.authenticate(await credentials(options));
  io.stdout.write(`${JSON.stringify({ event: "auth", deviceId: options.device, code: auth.code })}\n`);
  if (auth.code === 0) return client;
  setExitCode(1);
  await client.close();
  return undefined;
}

function writeDiscovery(result: DiscoveryResult, io: CliIo): void {
  for (const d of result.found) {
    io.stdout.write(
      `${JSON.stringify({
        event: "found",
        deviceId: d.deviceId,
        model: d.model,
        mac: d.mac,
        address: d.address,
        code: d.code,
        protocol: d.protocol,
        lanControl: d.lanControl,
        onConfig: d.onConfig,
        ...(d.onConfig === 1 ? { bindKey: d.bindKey.toString() } : {}),
      })}\n`,
    );
  }
  for (const b of result.bad) io.stderr.write(`hilfarm lan: ${b.address}: ${b.code}: ${b.reason}\n`);
}

/**
 * A device that cannot be reached or does not answer, or a platform that gives no lanKey, is what the command
 * found (exit 1, one line), not a usage error.
 */
function reporting(
  io: CliIo,
  setExitCode: (code: number) => void,
  action: (options: SessionOptions) => Promise<void>,
) {
  return async (options: SessionOptions) => {
    try {
      await action(options);
    } catch (error) {
      const found =
        error instanceof LanAnswerError || (error instanceof HilfarmError && error.code === "LAN_KEY");
      if (!found) throw error;
      io.stderr.write(`hilfarm lan: ${error.message}\n`);
      setExitCode(1);
    }
  };
}

/** `hilfarm lan`: the phone app's side of Md (chapter 6), for labs and for scripts. */
export function addLanCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  waitForStop: () => Promise<string>,
): void {
  const lan = program
    .command("lan")
    .description("the LAN interface (Md): discover, query, control and watch devices");

  lan
    .command("discover")
    .description(
      "Search for devices (6.2.1): one JSON line per answer. Tests and labs that know the addresses use --target\n" +
        "(unicast); --broadcast searches a lab's LAN. Exit 1 when no device answered.",
    )
    .option("--model <model>", "only devices of this model (default: every model)")
    .option("--target <host:port>", "a device's discovery port, by unicast (repeatable)", collect)
    .option("--broadcast", "broadcast the search to 255.255.255.255:<port>")
    .option("--port <port>", "discovery port for --broadcast", portOption("port"), MD_DISCOVERY_PORT)
    .option("--timeout <seconds>", "how long answers are awaited", integerOption("timeout", 1, 600), 1)
    .addOption(
      new Option("--flag-order <order>", "where protocol/lanControl/onConfig sit in the answer")
        .choices(flagOrders as FlagOrder[])
        .default("struct"),
    )
    .action(
      async (options: {
        model?: string;
        target?: string[];
        broadcast?: boolean;
        port: number;
        timeout: number;
        flagOrder: FlagOrder;
      }) => {
        if ((options.target ?? []).length === 0 && options.broadcast !== true) {
          throw new UsageError("target", "give --target <host:port> (repeatable) or --broadcast");
        }
        const result = await discoverDevices({
          targets: options.target ?? [],
          broadcast: options.broadcast === true,
          port: options.port,
          ...(options.model === undefined ? {} : { model: options.model }),
          timeoutMs: options.timeout * 1000,
          flagOrder: options.flagOrder,
        });
        writeDiscovery(result, io);
        if (result.found.length === 0) setExitCode(1);
      },
    );

  sessionCommand(
    lan.command("query").description("Authenticate and query the device's state (6.2.3)"),
  ).action(
    reporting(io, setExitCode, async (options: SessionOptions) => {
      const client = await open(options, io, setExitCode);
      if (client === undefined) return;
      try {
        const resp = await client.query();
        const { cmd: _cmd, ...fields } = resp;
        io.stdout.write(`${JSON.stringify({ event: "state", deviceId: options.device, ...fields })}\n`);
        if (resp.code !== 0) setExitCode(1);
      } finally {
        await client.close();
      }
    }),
  );

  sessionCommand(
    lan.command("control").description("Authenticate and set attributes (6.2.4); prints the device's post"),
  )
    .requiredOption(
      "--set <attribute=value>",
      "an attribute to set, by number (repeatable)",
      attributeAssignment,
    )
    .action(
      reporting(io, setExitCode, async (opts: SessionOptions) => {
        const options = opts as SessionOptions & { set: Record<string, number | string> };
        const client = await open(options, io, setExitCode);
        if (client === undefined) return;
        try {
          const answer = await client.control(options.set);
          if (answer.cmd === "post") {
            io.stdout.write(
              `${JSON.stringify({ event: "post", deviceId: options.device, mid: answer.mid, as: answer.as })}\n`,
            );
          } else {
            io.stdout.write(
              `${JSON.stringify({ event: "refused", deviceId: options.device, mid: answer.mid, code: answer.code })}\n`,
            );
            setExitCode(1);
          }
        } finally {
          await client.close();
        }
      }),
    );

  sessionCommand(
    lan.command("watch").description("Authenticate and print the device's posts (6.2.5) until stopped"),
  ).action(
    reporting(io, setExitCode, async (options: SessionOptions) => {
      const client = await open(options, io, setExitCode);
      if (client === undefined) return;
      client.onPost((post) =>
        io.stdout.write(`${JSON.stringify({ event: "post", deviceId: options.device, as: post.as })}\n`),
      );
      io.stdout.write(`${JSON.stringify({ event: "watching", deviceId: options.device })}\n`);
      await Promise.race([waitForStop(), client.closed]);
      await client.close();
    }),
  );
}
