import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { type Command, Option } from "commander";
import type { PushMisbehaviourChange } from "../emulators/push-receiver/misbehaviour.ts";
import { startPushReceiver } from "../emulators/push-receiver/receiver-server.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import { HilfarmError, UsageError } from "../harness/errors.ts";
import { settleLog } from "../harness/log/logger.ts";
import type { CliIo } from "./io.ts";
import { hostOption, type LogCommandOptions, logOptions } from "./option-groups.ts";
import { integerOption, portOption } from "./options.ts";
import { untilStopped } from "./until-stopped.ts";

export interface PushReceiveOptions extends LogCommandOptions {
  port: number;
  host: string;
  path: string;
  appKey?: string;
  appSecret?: string;
  record?: string;
  toleranceMs?: number;
  nonceCapacity?: number;
  abnormal?: true | number;
  fail500?: true | number;
  slowMs?: number;
  slowCount?: number;
}

const count = (name: string) => integerOption(name, 1, 2 ** 31);

/** The switches the options set at start. */
export function startMisbehaviour(o: PushReceiveOptions): PushMisbehaviourChange {
  return {
    ...(o.abnormal === undefined ? {} : { abnormal: o.abnormal }),
    ...(o.fail500 === undefined ? {} : { fail500: o.fail500 }),
    ...(o.slowMs === undefined ? {} : { slowMs: o.slowMs }),
    ...(o.slowCount === undefined ? {} : { slowCount: o.slowCount }),
  };
}

function signingOf(o: PushReceiveOptions): { appKey: string; appSecret: string } | undefined {
  if (o.appKey === undefined && o.appSecret === undefined) return undefined;
  if (o.appKey === undefined || o.appKey === "" || o.appSecret === undefined || o.appSecret === "")
    throw new UsageError(
      o.appKey === undefined || o.appKey === "" ? "app-key" : "app-secret",
      "--app-key and --app-secret (or HILFARM_PUSH_APP_SECRET) go together: give both to check signatures",
    );
  return { appKey: o.appKey, appSecret: o.appSecret };
}

/** Where records go: the file (appended to), opened before the ready line, or stdout. */
async function recordSink(
  file: string | undefined,
  io: CliIo,
): Promise<{ out: Writable; end(): Promise<void> }> {
  if (file === undefined) return { out: io.stdout, end: async () => undefined };
  const stream: WriteStream = createWriteStream(file, { flags: "a" });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error) => reject(new HilfarmError("RECORD", `--record ${file}: ${error.message}`)));
  });
  return { out: stream, end: () => new Promise((resolve) => stream.end(() => resolve())) };
}

/** `hilfarm push receive`: the push receiver as a process. Registers `push` when no other command did. */
export function addPushReceiveCommand(program: Command, io: CliIo, waitForStop: () => Promise<string>): void {
  const push =
    program.commands.find((c) => c.name() === "push") ??
    program.command("push").description("Message push (the seed's signed HTTP push to a third party)");
  const command = push
    .command("receive")
    .description(
      "Receive pushes as a third party would: check time, nonce and (with --app-key and --app-secret) the sign, " +
        "answer in the documented format, refuse a bad push in the same envelope, and record every request as one " +
        "JSON line. Prints one JSON line when ready (its URL). Misbehaviour can be changed while it runs: write one " +
        'JSON object a line to its stdin, e.g. {"abnormal":5}, {"fail500":true}, {"slowMs":20000,"slowCount":1}.',
    )
    .option("--port <port>", "port to listen on; 0 = any free port", portOption("port"), 0);
  hostOption.add(command, "interface to listen on");
  command
    .option("--path <path>", "the one path pushes are taken on", "/")
    .option("--app-key <key>", "signing on: the appkey a push must carry")
    .addOption(
      new Option(
        "--app-secret <secret>",
        "the appSecret its sign is checked with. Prefer the environment variable",
      ).env("HILFARM_PUSH_APP_SECRET"),
    )
    .option("--record <file>", "append the record (JSON lines) to this file instead of stdout")
    .option(
      "--tolerance-ms <ms>",
      "how far a push's time may be from this clock (default 300000)",
      integerOption("tolerance-ms", 0, 86_400_000),
    )
    .option("--nonce-capacity <n>", "nonces held at most (default 100000)", count("nonce-capacity"))
    .option(
      "--abnormal [count]",
      "MISBEHAVIOUR: answer HTTP 200 with a body not in the format",
      count("abnormal"),
    )
    .option("--fail-500 [count]", "MISBEHAVIOUR: answer HTTP 500", count("fail-500"))
    .option(
      "--slow-ms <ms>",
      "MISBEHAVIOUR: hold every answer this long",
      integerOption("slow-ms", 0, 86_400_000),
    )
    .option("--slow-count <count>", "... for this many pushes only", count("slow-count"));
  logOptions
    .add(command)
    .addHelpText(
      "after",
      "\nA count after a switch limits it to the next that many pushes.\n" +
        "Examples:\n" +
        "  hilfarm push receive --port 8090\n" +
        "  HILFARM_PUSH_APP_SECRET=... hilfarm push receive --port 8090 --app-key k1 --record pushes.jsonl\n" +
        "  hilfarm push receive --abnormal 5 --slow-ms 20000 --slow-count 1\n",
    )
    .action(async (options: PushReceiveOptions) => {
      const signing = signingOf(options);
      const logger = logOptions.logger(options, "push-receiver");
      const sink = await recordSink(options.record, io);
      const receiver = await startPushReceiver({
        clock: new RealClock(),
        logger,
        host: options.host,
        port: options.port,
        path: options.path,
        ...(signing === undefined ? {} : { signing }),
        ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
        ...(options.nonceCapacity === undefined ? {} : { nonceCapacity: options.nonceCapacity }),
        misbehaviour: startMisbehaviour(options),
        onRecord: (record) => sink.out.write(`${JSON.stringify(record)}\n`),
      }).catch(async (error: unknown) => {
        await sink.end();
        throw error;
      });
      io.stdout.write(
        `${JSON.stringify({ event: "ready", url: receiver.url, signing: signing !== undefined })}\n`,
      );
      const control = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      control.on("line", (line) => {
        if (line.trim() === "") return;
        try {
          const misbehaviour = receiver.misbehave(JSON.parse(line) as unknown);
          io.stdout.write(`${JSON.stringify({ event: "misbehaviour", misbehaviour })}\n`);
        } catch (error) {
          io.stderr.write(`hilfarm: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      });
      const signal = await untilStopped(waitForStop);
      logger.info({ signal }, "stopping");
      control.close();
      io.stdin.pause();
      await receiver.close();
      await sink.end();
      await settleLog(logger);
    });
}
