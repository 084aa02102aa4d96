import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import type { Misbehaviour } from "../emulators/device/misbehaviour.ts";
import { loadRegistry } from "../emulators/platform/registry/index.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { createLogger } from "../harness/log/logger.ts";
import { defaultFieldRules, type FieldRule, parseFieldRule } from "../harness/replay/match-rules.ts";
import { readRecording } from "../harness/replay/recording.ts";
import { judgeReplay } from "../harness/replay/verdict.ts";
import type { RunReport } from "../reports/model.ts";
import { emptyLatencies, totals } from "../reports/model.ts";
import { defaultReportDir, writeReports } from "../reports/write-reports.ts";
import type { CliIo } from "./io.ts";
import { hostOption, type PlatformPortCommandOptions, platformPortOptions } from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { replayCases } from "./replay/replay-report.ts";
import {
  parseMisbehaviour,
  recordedHeartbeat,
  replayAgainstDevice,
  replayAgainstPlatform,
} from "./replay/replay-runs.ts";
import { harnessInfo } from "./version.ts";

interface ReplayOptions extends PlatformPortCommandOptions {
  host: string;
  evidence: string;
  platform?: string;
  device?: "emulated" | "wait";
  deviceId?: string;
  registry?: string;
  transport?: "tcp" | "udp";
  match: FieldRule[];
  timingTolerance: number;
  heartbeat?: number;
  profile?: string;
  misbehaviour: Partial<Misbehaviour>;
  wait: number;
  serial?: string;
  mqttLink?: string;
  seed: number;
  reportDir?: string;
}

/** `--serial` or `--mqtt-link`: how a waited-for device reaches the platform, when not over the network. */
function linkOf(options: ReplayOptions): { attach?: string } {
  if (options.serial !== undefined && options.mqttLink !== undefined)
    throw new UsageError("serial", "give --serial or --mqtt-link, not both: a device has one link");
  if ((options.serial ?? options.mqttLink) !== undefined && options.device !== "wait")
    throw new UsageError("serial", "--serial and --mqtt-link go with --device wait");
  const serial =
    options.serial === undefined || options.serial.startsWith("serial://")
      ? options.serial
      : `serial://${options.serial}`;
  const attach = serial ?? options.mqttLink;
  return attach === undefined ? {} : { attach };
}

/** `hilfarm replay`: a recorded session played again as a regression test, against a platform or a device. */
export function addReplayCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const command = program
    .command("replay")
    .description(
      "Play a recorded session (an evidence file of hilfarm certify, hilfarm run --evidence or hilfarm frame\n" +
        "to-evidence) again and compare every answer with the recorded one: codes, results, every field by its\n" +
        "match rule, and delays within --timing-tolerance. With --platform, hilfarm plays the device's side against\n" +
        "a platform; with --device, hilfarm's platform plays the platform's side against a device. Writes JUnit,\n" +
        "JSON and HTML reports with both frames of every difference side by side. Exit code 0 when nothing differs,\n" +
        "1 when anything does, 2 for a usage error.",
    )
    .requiredOption("--evidence <file>", "the recording (JSON lines, hilfarm-evidence/1)")
    .option(
      "--platform <target>",
      "play the device's side against `emulated` (hilfarm's platform in process, virtual time) or the login server at host:port (real time)",
    )
    .addOption(
      new Option(
        "--device <target>",
        "play the platform's side against `emulated` (an emulated device in process, virtual time) or `wait` (hilfarm's platform listens; the device under test logs in, real time)",
      ).choices(["emulated", "wait"]),
    )
    .option("--device-id <id>", "whose session to play when the file holds several devices")
    .option(
      "--registry <file>",
      "the device's PIN (JSON or CSV): needed with --platform host:port and --device wait",
    )
    .addOption(
      new Option(
        "--transport <transport>",
        "connection transport of the device's side (default tcp)",
      ).choices(["tcp", "udp"]),
    )
    .addOption(
      new Option(
        "--match <[code.]field=rule>",
        "a match rule for a field (repeatable): equal, any, time, secret, address, sequence or ignore; e.g. 1005.heartBeat=any",
      )
        .argParser((value: string, previous: FieldRule[]) => [...previous, parseFieldRule(value)])
        .default([] as FieldRule[], "the rules listed in README's Replay section"),
    )
    .option(
      "--timing-tolerance <ms>",
      "how far an answer's delay may stray from the recorded one",
      integerOption("timing-tolerance", 0, 3_600_000),
      1000,
    )
    .option(
      "--heartbeat <seconds>",
      "heartBeat of hilfarm's platform (default: the recorded 1005's)",
      integerOption("heartbeat", 1, 86400),
    )
    .option(
      "--profile <name>",
      "with --device emulated: the device's profile (default: the one of the recorded model)",
    )
    .addOption(
      new Option(
        "--misbehaviour <name[=value]>",
        "with --device emulated: a fault switch of the device (repeatable), e.g. refuseKeyOrders or dropResponses=2",
      )
        .argParser((value: string, previous: Partial<Misbehaviour>) => parseMisbehaviour(value, previous))
        .default({} as Partial<Misbehaviour>, "none"),
    )
    .option(
      "--wait <seconds>",
      "with --device: how long to wait for the device's session",
      integerOption("wait", 1, 86400),
      300,
    );
  command
    .option(
      "--serial <port>",
      "with --device wait: the device is on a UART (serial:///dev/ttyUSB0?baud=115200&transport=tcp, or a path)",
    )
    .option(
      "--mqtt-link <url>",
      "with --device wait: the device's module speaks MQTT (mqtt://host:port, or embedded), as for hilfarm certify",
    );
  hostOption.add(
    command,
    "with --device wait: the interface the device ports listen on (0.0.0.0 for a lab network)",
  );
  platformPortOptions.add(command, {
    login: "with --device wait: login server (0: any free port)",
    tcp: "with --device wait: TCP connection server",
    udp: "with --device wait: UDP connection server",
    http: "with --device wait: northbound API",
  });
  command
    .option(
      "--seed <n>",
      "seed of hilfarm's platform (tokens, keys, sequences)",
      integerOption("seed", 0, 2147483647),
      1,
    )
    .option("--report-dir <dir>", "where the reports go (default reports/out/<timestamp>)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm replay --evidence reports/out/cert/evidence.jsonl --platform emulated\n" +
        "  hilfarm replay --evidence lock-session.jsonl --platform 192.0.2.10:8700 --registry lab.csv --transport udp\n" +
        "  hilfarm replay --evidence lock-session.jsonl --device emulated --misbehaviour refuseKeyOrders\n" +
        "  hilfarm replay --evidence lock-session.jsonl --device wait --registry lab.csv --host 0.0.0.0 --match 2006.statusSerials=ignore\n",
    )
    .action(async (options: ReplayOptions) => {
      if ((options.platform === undefined) === (options.device === undefined))
        throw new UsageError(
          "platform",
          "give --platform <emulated|host:port> or --device <emulated|wait>, one of them",
        );
      const link = linkOf(options);
      const startedAt = new Date();
      const recording = readRecording(
        await readFile(options.evidence, "utf8"),
        options.evidence,
        options.deviceId,
      );
      const registered =
        options.registry === undefined
          ? undefined
          : (await loadRegistry(options.registry)).get(recording.deviceId);
      if (options.registry !== undefined && registered === undefined)
        throw new UsageError(
          "registry",
          `device ${showValue(recording.deviceId)} is not in ${options.registry}`,
        );
      const settings = {
        heartbeat: options.heartbeat ?? recordedHeartbeat(recording) ?? 30,
        seed: options.seed,
        logger: createLogger({ name: "replay", level: "warn" }),
      };
      const underTest = options.platform !== undefined ? "platform" : "device";
      // The clock's timers do not hold the process open; a replay waiting out a recorded silence must.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      let run: Awaited<ReturnType<typeof replayAgainstPlatform>>;
      try {
        run =
          options.platform !== undefined
            ? await replayAgainstPlatform(recording, {
                platform: options.platform,
                ...(registered === undefined ? {} : { device: registered }),
                ...(options.transport === undefined ? {} : { transport: options.transport }),
                settings,
              })
            : await replayAgainstDevice(recording, {
                device: options.device ?? "emulated",
                ...(registered === undefined ? {} : { registered }),
                ...(options.profile === undefined ? {} : { profile: options.profile }),
                misbehaviour: options.misbehaviour,
                sessionWaitMs: options.wait * 1000,
                settings,
                listen: { host: options.host, ports: platformPortOptions.platform(options) },
                ...link,
                onReady: (platform) =>
                  io.stdout.write(
                    `${JSON.stringify({ event: "ready", login: platform.addresses.login, tcp: platform.addresses.tcp, udp: platform.addresses.udp, waitingFor: recording.deviceId })}\n`,
                  ),
              });
      } finally {
        clearInterval(keepAlive);
      }
      const verdicts = judgeReplay(run.outcome, {
        underTest,
        rules: [...defaultFieldRules, ...options.match],
        toleranceMs: options.timingTolerance,
      });
      const cases = replayCases(verdicts, run.outcome, underTest);
      for (const c of cases)
        if (c.status === "fail")
          io.stdout.write(`${JSON.stringify({ event: "difference", title: c.title, detail: c.detail })}\n`);
      const finishedAt = new Date();
      const dir = options.reportDir ?? defaultReportDir(startedAt);
      const report: RunReport = {
        kind: "replay",
        title: `Replay of ${options.evidence} (${underTest === "platform" ? "device's side" : "platform's side"})`,
        harness: harnessInfo(),
        command: `hilfarm ${process.argv.slice(2).join(" ")}`,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        wallMs: finishedAt.getTime() - startedAt.getTime(),
        seed: String(options.seed),
        target: run.target,
        suites: [
          {
            name: `replay of ${recording.deviceId}'s session against the ${underTest}`,
            file: options.evidence,
            cases,
          },
        ],
        latencies: emptyLatencies(),
        online: [],
        evidence: options.evidence,
      };
      const written = await writeReports(dir, report);
      const t = totals(report);
      const verdict = t.failed > 0 ? "fail" : t.passed > 0 ? "pass" : "nothing compared";
      io.stdout.write(
        `${JSON.stringify({ event: "summary", verdict, passed: t.passed, failed: t.failed, notApplicable: t.notApplicable, reports: written })}\n`,
      );
      if (verdict !== "pass") setExitCode(1);
    });
}
