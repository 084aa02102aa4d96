import { type Command, Option } from "commander";
import type { PushOptions, PushReceiverOptions } from "../emulators/platform/platform-options.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { httpUrlOf } from "../harness/http/http-url.ts";
import { integerOption } from "./options.ts";

/** The values `pushOptions.add` gives a command. */
export interface PushCommandOptions {
  pushUrl: string[];
  pushAppKey?: string;
  pushAppSecret?: string;
  pushClientId: string[];
  pushAbnormalLimit?: number;
  pushTimeoutMs?: number;
  pushPolicy?: "consecutive" | "cloud";
  pushAnswerFormat?: "code" | "exact";
}

function receiverUrl(text: string, previous: string[]): string[] {
  if (httpUrlOf(text) === undefined)
    throw new UsageError("push-url", `--push-url must be an http:// or https:// URL, got ${showValue(text)}`);
  return [...previous, text];
}

function clientIds(text: string, previous: string[]): string[] {
  const ids = text.split(",").map((id) => id.trim());
  if (ids.some((id) => id === ""))
    throw new UsageError("push-client-id", `--push-client-id has an empty id: got ${showValue(text)}`);
  return [...previous, ...ids];
}

function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (text: string): T => {
    if (!(values as readonly string[]).includes(text))
      throw new UsageError(name, `--${name} must be one of ${values.join(", ")}, got ${showValue(text)}`);
    return text as T;
  };
}

/**
 * `--push-url` (repeatable: one receiver each, all with the same settings), `--push-app-key`, `--push-app-secret` (or
 * HILFARM_PUSH_APP_SECRET; signing is on when both are given), `--push-client-id` (repeatable or a comma list),
 * `--push-abnormal-limit`, `--push-timeout-ms`, `--push-policy`, `--push-answer-format`: the message push sender,
 * started only with `--push-url`.
 */
export const pushOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--push-url <url>",
        "push every device change to this receiver (repeatable: one receiver each)",
        receiverUrl,
        [],
      )
      .option("--push-app-key <key>", "the pushes' appkey header; with --push-app-secret, pushes are signed")
      .addOption(
        new Option(
          "--push-app-secret <secret>",
          "the secret pushes are signed with. Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_PUSH_APP_SECRET"),
      )
      .option(
        "--push-client-id <id>",
        "the app's client id the pushes name in token (repeatable, or a comma list)",
        clientIds,
        [],
      )
      .option(
        "--push-abnormal-limit <n>",
        "abnormal answers in a row after which pushes to a receiver stop until resumed (default 5)",
        integerOption("push-abnormal-limit", 1, 10_000),
      )
      .option(
        "--push-timeout-ms <ms>",
        "no complete answer within this long counts as abnormal (default 10000)",
        integerOption("push-timeout-ms", 1, 600_000),
      )
      .option(
        "--push-policy <policy>",
        "consecutive (stop after --push-abnormal-limit abnormal answers in a row) or cloud (stop when over 5 % of the last 5 minutes' pushes were abnormal; keep undelivered messages 12 hours)",
        oneOf("push-policy", ["consecutive", "cloud"] as const),
      )
      .option(
        "--push-answer-format <format>",
        "code (HTTP 200 and code 0, the default) or exact (also message Success, requestId and msgDetails)",
        oneOf("push-answer-format", ["code", "exact"] as const),
      );
  },
  /** The platform's `push` section, or nothing without `--push-url`. */
  platform(options: PushCommandOptions): { push?: PushOptions } {
    const { pushUrl, pushAppKey: appKey, pushAppSecret: appSecret } = options;
    if (pushUrl.length === 0) return {};
    if (options.pushClientId.length === 0)
      throw new UsageError("push-client-id", "--push-url needs --push-client-id (the token of every push)");
    if ((appKey === undefined || appKey === "") !== (appSecret === undefined || appSecret === ""))
      throw new UsageError(
        appKey === undefined || appKey === "" ? "push-app-key" : "push-app-secret",
        "signed pushes need both --push-app-key and --push-app-secret (or HILFARM_PUSH_APP_SECRET); unsigned, neither",
      );
    const shared: Omit<PushReceiverOptions, "url"> = {
      clientIds: options.pushClientId,
      ...(appKey === undefined || appKey === "" || appSecret === undefined ? {} : { appKey, appSecret }),
      ...(options.pushAbnormalLimit === undefined ? {} : { abnormalLimit: options.pushAbnormalLimit }),
      ...(options.pushTimeoutMs === undefined ? {} : { timeoutMs: options.pushTimeoutMs }),
      ...(options.pushPolicy === undefined ? {} : { policy: options.pushPolicy }),
      ...(options.pushAnswerFormat === undefined ? {} : { answerFormat: options.pushAnswerFormat }),
    };
    return { push: { receivers: pushUrl.map((url) => ({ url, ...shared })) } };
  },
};
