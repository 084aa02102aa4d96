import { type Command, Option } from "commander";
import { UsageError } from "../harness/errors.ts";
import type { ClauseResult } from "../scenarios/conformance/clause.ts";
import { runClauses } from "../scenarios/conformance/clause.ts";
import { lockApiClausesOf } from "../scenarios/conformance/lock-api-clauses.ts";
import { EMULATED, emulatedLockApiTarget } from "../scenarios/conformance/lock-api-emulated.ts";
import {
  DEFAULT_LOCK_ANSWER_MS,
  type FlaggedLockType,
  flaggedLockTypes,
  type LockApiTarget,
  lockApiBaseUrl,
  lockApiTarget,
  lockFlags,
} from "../scenarios/conformance/lock-api-target.ts";
import type { CliIo } from "./io.ts";
import { integerOption } from "./options.ts";
import { holdingOpen } from "./until-stopped.ts";

/** `hilfarm conformance lock-api`: the smart-lock open API suite (L1-L9), one JSON line per clause. */

interface LockApiSuiteOptions {
  url: string;
  clientId?: string;
  secret?: string;
  wifiLock?: string;
  zigbeeLock?: string;
  keepaliveLock?: string;
  videoLock?: string;
  accessControl?: string;
  hotelLock?: string;
  answerMs: number;
  only?: string;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value === "")
    throw new UsageError(
      option.replace(/^--/, ""),
      `${option} is required for a lock API under test (the client it signs with)`,
    );
  return value;
}

/** commander's camelCase name of each lock option: `--keepalive-lock` is `keepaliveLock`. */
const optionKey = (flag: string) => flag.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

/** The locks the options name, by lock type. */
function locksOf(options: LockApiSuiteOptions): Partial<Record<FlaggedLockType, string>> {
  const named = options as unknown as Record<string, string | undefined>;
  return Object.fromEntries(
    flaggedLockTypes.flatMap((type) => {
      const id = named[optionKey(lockFlags[type])];
      return id === undefined ? [] : [[type, id]];
    }),
  );
}

async function targetOf(options: LockApiSuiteOptions): Promise<LockApiTarget> {
  if (options.url === EMULATED) return emulatedLockApiTarget();
  return lockApiTarget({
    url: lockApiBaseUrl(options.url),
    clientId: required(options.clientId, "--client-id"),
    secret: required(options.secret, "--secret"),
    locks: locksOf(options),
    answerMs: options.answerMs,
  });
}

export function addLockApiConformanceCommand(
  conformance: Command,
  _io: CliIo,
  report: (results: ClauseResult[], description: string) => void,
): void {
  conformance
    .command("lock-api")
    .description(
      "Check a smart-lock open API from a caller's side, endpoint by endpoint: tokens and signing (L1), password\n" +
        "tickets and temporary passwords (L2), their delivery to a Wi-Fi and a Zigbee lock (L3), open and alarm logs\n" +
        "(L4), refusals (L5), offline and dynamic passwords (L6), users, unlocking methods and records (L7), remote\n" +
        "unlocking and media (L8), the rest of the catalogue (L9). Clauses that need a lock type the target does not\n" +
        "name are not applicable, naming the option. Exit code 1 if any clause fails.",
    )
    .requiredOption(
      "--url <url>",
      "base URL of the lock API (http(s)://host:port), or `emulated` (hilfarm's own, virtual time)",
    )
    .option("--client-id <id>", "the client_id the suite signs with (the SDK's accessKey)")
    .addOption(
      new Option(
        "--secret <secret>",
        "that client's secret, 32 characters. Prefer the environment variable: arguments show in ps",
      ).env("HILFARM_LOCK_API_SECRET"),
    )
    .option(
      "--wifi-lock <id>",
      "device id of a Wi-Fi lock the suite may give passwords, users and openings to",
    )
    .option("--zigbee-lock <id>", "device id of a Zigbee lock (behind its gateway) likewise")
    .option("--keepalive-lock <id>", "device id of a keepalive Wi-Fi lock likewise")
    .option("--video-lock <id>", "device id of a Wi-Fi lock with video talk likewise")
    .option("--access-control <id>", "device id of a Wi-Fi access control device likewise")
    .option("--hotel-lock <id>", "device id of a Zigbee lock for hotel use (behind its gateway) likewise")
    .option(
      "--answer-ms <ms>",
      "longest answer the suite waits for",
      integerOption("answer-ms", 1, 600_000),
      DEFAULT_LOCK_ANSWER_MS,
    )
    .option("--only <clause>", "run only this group or clause (e.g. L3, L2.10)")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm conformance lock-api --url emulated\n" +
        "  HILFARM_LOCK_API_SECRET=... hilfarm conformance lock-api --url https://staging.example:8443 \\\n" +
        "    --client-id CLIENT --wifi-lock WIFI_DEVICE_ID --zigbee-lock ZIGBEE_DEVICE_ID \\\n" +
        "    --keepalive-lock ID --video-lock ID --access-control ID --hotel-lock ID\n",
    )
    .action(async (options: LockApiSuiteOptions) => {
      const checks = lockApiClausesOf(options.only);
      if (checks.length === 0)
        throw new UsageError("only", `--only ${JSON.stringify(options.only)} names no clause (L1-L9, L2.3)`);
      const target = await targetOf(options);
      try {
        // Real-time targets wait on unref'd clock timers (the delivery poll, a token's expiry).
        report(await holdingOpen(() => runClauses(target, checks)), target.description);
      } finally {
        await target.close();
      }
    });
}
