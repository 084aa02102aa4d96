import { type Command, Option } from "commander";
import { UsageError } from "../harness/errors.ts";
import { type ClauseResult, runClauses } from "../scenarios/conformance/clause.ts";
import { pushReceiverClausesOf } from "../scenarios/conformance/push-receiver-clauses.ts";
import {
  DEFAULT_PUSH_ANSWER_MS,
  EMULATED,
  emulatedPushReceiverTarget,
  type PushReceiverTarget,
  pushReceiverTarget,
} from "../scenarios/conformance/push-receiver-target.ts";
import { pushSenderClausesOf } from "../scenarios/conformance/push-sender-clauses.ts";
import { emulatedPushSenderTarget } from "../scenarios/conformance/push-sender-target.ts";
import type { CliIo } from "./io.ts";
import { integerOption } from "./options.ts";
import { holdingOpen } from "./until-stopped.ts";

/** `hilfarm conformance push-receiver|push-sender`: the message push suites (P1, P2), one JSON line per clause. */

interface ReceiverSuiteOptions {
  url: string;
  appKey?: string;
  appSecret?: string;
  answerMs: number;
  only?: string;
}

function checksOf<T>(found: T[], only: string | undefined, names: string): T[] {
  if (found.length === 0)
    throw new UsageError("only", `--only ${JSON.stringify(only)} names no clause (${names})`);
  return found;
}

function receiverTargetOf(options: ReceiverSuiteOptions): Promise<PushReceiverTarget> {
  if (options.url === EMULATED) return emulatedPushReceiverTarget();
  return Promise.resolve(
    pushReceiverTarget({
      url: options.url,
      ...(options.appKey === undefined ? {} : { appKey: options.appKey }),
      ...(options.appSecret === undefined ? {} : { appSecret: options.appSecret }),
      answerMs: options.answerMs,
    }),
  );
}

export function addPushConformanceCommands(
  conformance: Command,
  _io: CliIo,
  report: (results: ClauseResult[], description: string) => void,
): void {
  conformance
    .command("push-receiver")
    .description(
      "Check a message push receiver from the sender's side: a valid push answered in the format (P1.1); with\n" +
        "signing, a bad sign, a stale time, a reused nonce and an unknown appkey refused (P1.2-P1.5); 500 KiB and\n" +
        "non-ASCII data (P1.6, P1.7); a burst of 50 concurrent pushes (P1.8). Without --app-key the signing clauses\n" +
        "are not applicable. Exit code 1 if any clause fails.",
    )
    .requiredOption(
      "--url <url>",
      "where pushes go (http(s)://host:port/path), or `emulated` (hilfarm's own receiver, virtual time)",
    )
    .option("--app-key <key>", "the appkey the receiver checks (signing on; needs the secret too)")
    .addOption(
      new Option(
        "--app-secret <secret>",
        "the appSecret the receiver checks. Prefer the environment variable: arguments show in ps",
      ).env("HILFARM_PUSH_APP_SECRET"),
    )
    .option(
      "--answer-ms <ms>",
      "longest answer the suite waits for",
      integerOption("answer-ms", 1, 600_000),
      DEFAULT_PUSH_ANSWER_MS,
    )
    .option("--only <clause>", "run only this clause (e.g. P1.4)")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm conformance push-receiver --url emulated\n" +
        "  HILFARM_PUSH_APP_SECRET=... hilfarm conformance push-receiver --url https://receiver.example/push --app-key KEY\n",
    )
    .action(async (options: ReceiverSuiteOptions) => {
      const checks = checksOf(pushReceiverClausesOf(options.only), options.only, "P1.1-P1.8");
      const target = await receiverTargetOf(options);
      try {
        report(await holdingOpen(() => runClauses(target, checks)), target.description);
      } finally {
        await target.close();
      }
    });

  conformance
    .command("push-sender")
    .description(
      "Check a message push sender from the receiver's side: headers time and nonce (P2.1), appkey and sign\n" +
        "(P2.2), the body {token, data} (P2.3), data a String (P2.4), no pushes after 5 abnormal answers (P2.5),\n" +
        "pushes again once resumed (P2.6). Only `--url emulated` (hilfarm's platform pushing, virtual time) from the\n" +
        "command line: another sender needs a trigger, so is checked from a scenario (pushSenderTarget). Exit code 1\n" +
        "if any clause fails.",
    )
    .requiredOption("--url <url>", "`emulated`: the only sender the command line can trigger")
    .option("--only <clause>", "run only this clause (e.g. P2.5)")
    .addHelpText("after", "\nExample:\n  hilfarm conformance push-sender --url emulated\n")
    .action(async (options: { url: string; only?: string }) => {
      if (options.url !== EMULATED)
        throw new UsageError(
          "url",
          `--url must be \`emulated\` (another sender is checked from a scenario, with a trigger), got ${JSON.stringify(options.url)}`,
        );
      const checks = checksOf(pushSenderClausesOf(options.only), options.only, "P2.1-P2.6");
      const target = await emulatedPushSenderTarget();
      try {
        report(await holdingOpen(() => runClauses(target, checks)), target.description);
      } finally {
        await target.close();
      }
    });
}
