import { type Command, Option } from "commander";
import { showValue, UsageError } from "../harness/errors.ts";
import { aqaraApiTarget, emulatedAqaraApiTarget } from "../scenarios/conformance/aqara-api-target.ts";
import {
  type AnyTarget,
  type ClauseCheck,
  type ClauseResult,
  runClauses,
} from "../scenarios/conformance/clause.ts";
import { EMULATED, emulatedLockApiTarget } from "../scenarios/conformance/lock-api-emulated.ts";
import { lockApiTarget } from "../scenarios/conformance/lock-api-target.ts";
import {
  emulatedPushReceiverTarget,
  pushReceiverTarget,
} from "../scenarios/conformance/push-receiver-target.ts";
import {
  aqaraApiHostileClauses,
  lockApiHostileClauses,
  pushReceiverHostileClauses,
} from "../scenarios/hostile/hostile-clauses.ts";
import { integerOption } from "./options.ts";
import { holdingOpen } from "./until-stopped.ts";

/**
 * `hilfarm hostile` on a surface other than a platform's device side: H7 on a smart-lock open API (`--lock-api`), H8
 * on a message-push receiver (`--push-receiver`), H9 on an Aqara-style open API (`--aqara-api`). Each takes a URL or
 * `emulated` (hilfarm's own, virtual time), and the credentials under the same names as `hilfarm platform`'s.
 */

export interface SurfaceHostileOptions {
  lockApi?: string;
  lockApiClientId?: string;
  lockApiSecret?: string;
  pushReceiver?: string;
  pushAppKey?: string;
  pushAppSecret?: string;
  aqaraApi?: string;
  aqaraAppId?: string;
  aqaraKeyId?: string;
  aqaraAppKey?: string;
  answerMs?: number;
  only?: string;
}

export const SURFACE_FLAGS = ["--lock-api", "--push-receiver", "--aqara-api"] as const;

/** Adds the surfaces' options to `hilfarm hostile`. */
export function addSurfaceOptions(hostile: Command): Command {
  return hostile
    .option(
      "--lock-api <url>",
      "H7 on a smart-lock open API: its base URL (http(s)://host:port), or `emulated`",
    )
    .option("--lock-api-client-id <id>", "... the client_id H7 signs with")
    .addOption(
      new Option(
        "--lock-api-secret <secret>",
        "... that client's secret (prefer the environment variable)",
      ).env("HILFARM_LOCK_API_SECRET"),
    )
    .option("--push-receiver <url>", "H8 on a message-push receiver: where pushes go, or `emulated`")
    .option("--push-app-key <key>", "... the appkey it checks (signing on; needs the secret too)")
    .addOption(
      new Option(
        "--push-app-secret <secret>",
        "... the appSecret it checks (prefer the environment variable)",
      ).env("HILFARM_PUSH_APP_SECRET"),
    )
    .option(
      "--aqara-api <url>",
      "H9 on an Aqara-style open API: its endpoint (http(s)://host:port/v3.0/open/api), or `emulated`",
    )
    .option("--aqara-app-id <id>", "... the Appid H9 signs with")
    .option("--aqara-key-id <id>", "... the Keyid")
    .addOption(
      new Option("--aqara-app-key <key>", "... the app key (prefer the environment variable)").env(
        "HILFARM_AQARA_APP_KEY",
      ),
    )
    .option(
      "--answer-ms <ms>",
      "longest answer H7-H9 wait for (real time)",
      integerOption("answer-ms", 1, 600_000),
    );
}

/** The surface the options name, or undefined for a platform; a UsageError when they name more than one. */
export function surfaceOf(options: SurfaceHostileOptions & { platform?: string }): string | undefined {
  const named = [
    ...(options.platform === undefined ? [] : ["--platform"]),
    ...SURFACE_FLAGS.filter((flag) => surfaceUrl(options, flag) !== undefined),
  ];
  if (named.length !== 1)
    throw new UsageError(
      "platform",
      named.length === 0
        ? `name what to attack: --platform, ${SURFACE_FLAGS.join(", ")}`
        : `name one target at a time, got ${named.join(" and ")}`,
    );
  return named[0] === "--platform" ? undefined : named[0];
}

function surfaceUrl(
  options: SurfaceHostileOptions,
  flag: (typeof SURFACE_FLAGS)[number],
): string | undefined {
  return flag === "--lock-api"
    ? options.lockApi
    : flag === "--push-receiver"
      ? options.pushReceiver
      : options.aqaraApi;
}

function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value === "")
    throw new UsageError(flag.slice(2), `${flag} is required: ${what}`);
  return value;
}

/** Only the clauses `--only` names; a UsageError naming the range when none. */
function only<T extends AnyTarget>(
  checks: ClauseCheck<T>[],
  prefix: string | undefined,
  range: string,
): ClauseCheck<T>[] {
  const kept = checks.filter((c) => prefix === undefined || c.clause.startsWith(prefix));
  if (kept.length === 0)
    throw new UsageError("only", `--only ${showValue(prefix)} matches no clause (${range})`);
  return kept;
}

/** Runs the clauses of the surface `flag` on the target the options give; results and the target's description. */
export async function runSurfaceHostile(
  flag: string,
  options: SurfaceHostileOptions,
): Promise<{ results: ClauseResult[]; description: string }> {
  const answerMs = options.answerMs === undefined ? {} : { answerMs: options.answerMs };
  const run = async <T extends AnyTarget & { close(): Promise<void> }>(
    target: T,
    checks: ClauseCheck<T>[],
  ) => {
    try {
      return {
        results: await holdingOpen(() => runClauses(target, checks)),
        description: target.description,
      };
    } finally {
      await target.close();
    }
  };
  if (flag === "--lock-api") {
    const checks = only(lockApiHostileClauses(), options.only, "H7.1-H7.6");
    const url = options.lockApi ?? EMULATED;
    if (url === EMULATED) return run(await emulatedLockApiTarget(), checks);
    return run(
      lockApiTarget({
        url,
        clientId: required(
          options.lockApiClientId,
          "--lock-api-client-id",
          "the client the clauses sign with",
        ),
        secret: required(
          options.lockApiSecret,
          "--lock-api-secret",
          "that client's secret (HILFARM_LOCK_API_SECRET)",
        ),
        locks: {},
        ...answerMs,
        optionNames: { url: "--lock-api", "client-id": "--lock-api-client-id", secret: "--lock-api-secret" },
      }),
      checks,
    );
  }
  if (flag === "--push-receiver") {
    const checks = only(pushReceiverHostileClauses(), options.only, "H8.1-H8.5");
    const url = options.pushReceiver ?? EMULATED;
    if (url === EMULATED) return run(await emulatedPushReceiverTarget(), checks);
    return run(
      pushReceiverTarget({
        url,
        ...(options.pushAppKey === undefined ? {} : { appKey: options.pushAppKey }),
        ...(options.pushAppSecret === undefined ? {} : { appSecret: options.pushAppSecret }),
        ...answerMs,
        optionNames: {
          url: "--push-receiver",
          "app-key": "--push-app-key",
          "app-secret": "--push-app-secret",
        },
      }),
      checks,
    );
  }
  const checks = only(aqaraApiHostileClauses(), options.only, "H9.1-H9.6");
  const url = options.aqaraApi ?? EMULATED;
  if (url === EMULATED) return run(await emulatedAqaraApiTarget(), checks);
  return run(
    aqaraApiTarget({
      url,
      appId: required(options.aqaraAppId, "--aqara-app-id", "the app the clauses sign with"),
      keyId: required(options.aqaraKeyId, "--aqara-key-id", "that app's key id"),
      appKey: required(options.aqaraAppKey, "--aqara-app-key", "that app's key (HILFARM_AQARA_APP_KEY)"),
      ...answerMs,
      optionNames: {
        url: "--aqara-api",
        "app-id": "--aqara-app-id",
        "key-id": "--aqara-key-id",
        "app-key": "--aqara-app-key",
      },
    }),
    checks,
  );
}
