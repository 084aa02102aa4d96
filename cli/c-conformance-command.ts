import { type Command, Option } from "commander";
import { RealClock } from "../harness/clock/real-clock.ts";
import { UsageError } from "../harness/errors.ts";
import { cryptoRandom } from "../harness/random/random.ts";
import type { TlsPaths } from "../harness/tls/tls-material.ts";
import { startNotifyHost } from "../scenarios/conformance/c-notify-host.ts";
import { cSmartHomeClauses } from "../scenarios/conformance/c-smart-home-clauses.ts";
import {
  type CSmartHomeTarget,
  emulatedSmartHomeTarget,
  smartHomeTarget,
} from "../scenarios/conformance/c-smart-home-target.ts";
import { cThirdPartyClauses } from "../scenarios/conformance/c-third-party-clauses.ts";
import {
  type CThirdPartyTarget,
  DEFAULT_ANSWER_MS,
  DEFAULT_MIN_TOKEN_LIFETIME_MS,
  emulatedThirdPartyTarget,
  HOSTED_PLATFORM_ID,
  HOSTED_PLATFORM_KEY,
  parseControl,
  thirdPartyTarget,
} from "../scenarios/conformance/c-third-party-target.ts";
import {
  type AnyTarget,
  type ClauseCheck,
  type ClauseResult,
  runClauses,
} from "../scenarios/conformance/clause.ts";
import type { CliIo } from "./io.ts";
import { integerOption, portOption } from "./options.ts";

/** `hilfarm conformance c-smart-home|c-third-party`: the chapter 7 (C) suites, one JSON line per clause. */

interface CommonOptions {
  url: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  only?: string;
}

interface SmartHomeOptions extends CommonOptions {
  platformId?: string;
  platformKey?: string;
  deviceType?: string;
}

interface ThirdPartyOptions extends CommonOptions {
  cloudId?: string;
  cloudKey?: string;
  device?: string;
  gateway?: string;
  control?: string;
  notifyPort: number;
  notifyHost: string;
  notifyTlsCert?: string;
  notifyTlsKey?: string;
  notifyTlsCa?: string;
  notifyTlsDir?: string;
  platformId: string;
  platformKey: string;
  answerMs: number;
  minTokenLifetimeMs: number;
}

const EMULATED = "emulated";

/** What an external target needs; a UsageError naming the first option missing. */
function required<T>(value: T | undefined, option: string, why: string): T {
  if (value === undefined || value === "")
    throw new UsageError(option.replace(/^--/, ""), `${option} is required ${why}`);
  return value;
}

function tlsPaths(options: CommonOptions): TlsPaths {
  const why = "for a platform under test (the suite's client certificate, its key, and the CA of the server)";
  return {
    cert: required(options.tlsCert, "--tls-cert", why),
    key: required(options.tlsKey, "--tls-key", why),
    ca: required(options.tlsCa, "--tls-ca", why),
  };
}

/** The clauses numbered `section` or within it (`7.3.2.1` is not `7.3.2.10`); all without one. */
const only = <T extends AnyTarget>(checks: readonly ClauseCheck<T>[], section?: string) =>
  checks.filter(
    (c) =>
      section === undefined || c.clause.split(", ").some((n) => n === section || n.startsWith(`${section}.`)),
  );

function commonOptions(command: Command, what: string): Command {
  return command
    .requiredOption(
      "--url <url>",
      `https://host:port of the ${what}, or \`emulated\` (hilfarm's own, virtual time)`,
    )
    .option("--tls-cert <file>", "PEM client certificate the suite presents (mutual TLS, 7.1.4)")
    .option("--tls-key <file>", "its PEM private key")
    .option("--tls-ca <file>", "PEM CA the platform's server certificate chains to")
    .option("--only <clause>", "run only the clauses of this section or within it (e.g. 7.3.1.9, 7.1)");
}

async function smartHome(options: SmartHomeOptions): Promise<CSmartHomeTarget> {
  if (options.url === EMULATED) return emulatedSmartHomeTarget();
  const why = "for a smart-home platform under test (exchanged offline, 7.2)";
  return smartHomeTarget({
    url: options.url,
    tls: { paths: tlsPaths(options) },
    platformId: required(options.platformId, "--platform-id", why),
    platformKey: required(options.platformKey, "--platform-key", why),
    ...(options.deviceType === undefined ? {} : { deviceType: options.deviceType }),
  });
}

/** The hosted C11-C18 server's identity: a test PKI, its own files, or the suite's (a certificate for both uses). */
function notifyTls(options: ThirdPartyOptions, paths: TlsPaths): TlsPaths | { dir: string } {
  if (options.notifyTlsDir !== undefined) return { dir: options.notifyTlsDir };
  const { notifyTlsCert: cert, notifyTlsKey: key, notifyTlsCa: ca } = options;
  if (cert === undefined && key === undefined && ca === undefined) return paths;
  const why = "with the other --notify-tls-* options";
  return {
    cert: required(cert, "--notify-tls-cert", why),
    key: required(key, "--notify-tls-key", why),
    ca: required(ca, "--notify-tls-ca", why),
  };
}

/**
 * A third party under test, and the C11-C18 server the suite hosts for its reports: with `emulated` both in this
 * process; otherwise the server on `--notify-host:--notify-port` with the same certificate files, for the operator
 * to point the third party at (the ready line gives its URL).
 */
async function thirdParty(options: ThirdPartyOptions, io: CliIo): Promise<CThirdPartyTarget> {
  if (options.url === EMULATED) return emulatedThirdPartyTarget();
  const why = "for a third-party platform under test";
  const paths = tlsPaths(options);
  const clock = new RealClock();
  const host = await startNotifyHost({
    clock,
    random: cryptoRandom(),
    platformId: options.platformId,
    platformKey: options.platformKey,
    tls: notifyTls(options, paths),
    host: options.notifyHost,
    port: options.notifyPort,
  });
  io.stdout.write(`${JSON.stringify({ event: "ready", notify: host.url, platformId: host.platformId })}\n`);
  try {
    return await thirdPartyTarget({
      url: options.url,
      tls: { paths },
      cloudId: required(options.cloudId, "--cloud-id", why),
      cloudKey: required(options.cloudKey, "--cloud-key", why),
      deviceSN: required(options.device, "--device", why),
      ...(options.gateway === undefined ? {} : { gatewaySN: options.gateway }),
      ...(options.control === undefined ? {} : { control: parseControl(options.control) }),
      answerMs: options.answerMs,
      minTokenLifetimeMs: options.minTokenLifetimeMs,
      notifyHost: host,
      clock,
      close: () => host.close(),
    });
  } catch (error) {
    await host.close();
    throw error;
  }
}

/** Adds the C suites under `hilfarm conformance`. */
export function addCConformanceCommands(
  conformance: Command,
  io: CliIo,
  report: (results: ClauseResult[], description: string) => void,
): void {
  commonOptions(
    conformance
      .command("c-smart-home")
      .description(
        "Check a smart-home platform's C11-C18 server (7.3.1) from the third party's side: mutual TLS, C11 tokens,\n" +
          "every report accepted, 1001/1002/1003 refusals. Exit code 1 if any clause fails.",
      ),
    "smart-home platform's C11-C18 server",
  )
    .option("--platform-id <id>", "the platformId exchanged offline (7.2)")
    .addOption(
      new Option(
        "--platform-key <key>",
        "the platformKey that goes with it. Prefer the environment variable",
      ).env("HILFARM_C_PLATFORM_KEY"),
    )
    .option("--device-type <type>", "deviceType of the devices the suite reports on")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm conformance c-smart-home --url emulated\n" +
        "  hilfarm conformance c-smart-home --url https://192.0.2.10:8443 --tls-cert client.pem --tls-key client-key.pem \\\n" +
        "    --tls-ca ca.pem --platform-id ID --platform-key KEY\n",
    )
    .action(async (options: SmartHomeOptions) => {
      const target = await smartHome(options);
      try {
        report(await runClauses(target, only(cSmartHomeClauses, options.only)), target.description);
      } finally {
        await target.close();
      }
    });

  commonOptions(
    conformance
      .command("c-third-party")
      .description(
        "Check a third-party platform's C21-C31 server (7.3.2) from the smart-home side: mutual TLS, C21 tokens,\n" +
          "expiry and renewal, every interface's answer, 1001/1002/1003, answer time, and its C12-C18 reports to a\n" +
          "C11-C18 server the suite hosts. Exit code 1 if any clause fails.",
      ),
    "third-party platform's C21-C31 server",
  )
    .option("--cloud-id <id>", "the cloudId exchanged offline (7.2)")
    .addOption(
      new Option("--cloud-key <key>", "the cloudKey that goes with it. Prefer the environment variable").env(
        "HILFARM_C_CLOUD_KEY",
      ),
    )
    .option("--device <sn>", "deviceSN of a device the third party holds, not yet bound")
    .option("--gateway <sn>", "deviceSN of a gateway it holds with a sub-device (C24, C25, C29, C30)")
    .option(
      "--control <command>",
      "a command the device takes, serialId:NAME=VALUE (C28), e.g. 0:SET_POWER=1",
    )
    .option("--notify-host <host>", "interface of the hosted C11-C18 server", "127.0.0.1")
    .option(
      "--notify-port <port>",
      "port of the hosted C11-C18 server (0: a free one)",
      portOption("notify-port"),
      0,
    )
    .option(
      "--notify-tls-cert <file>",
      "PEM certificate the hosted C11-C18 server presents (default --tls-cert)",
    )
    .option("--notify-tls-key <file>", "its PEM private key (default --tls-key)")
    .option(
      "--notify-tls-ca <file>",
      "PEM CA the third party's client certificate chains to (default --tls-ca)",
    )
    .option(
      "--notify-tls-dir <dir>",
      "instead: a test PKI for the hosted server (made when absent; the third party presents its client.pem)",
    )
    .option("--platform-id <id>", "platformId the third party's C11 must present", HOSTED_PLATFORM_ID)
    .addOption(
      new Option("--platform-key <key>", "platformKey the third party's C11 must present")
        .env("HILFARM_C_PLATFORM_KEY")
        .default(HOSTED_PLATFORM_KEY, "a fixed test key"),
    )
    .option(
      "--answer-ms <ms>",
      "longest answer the suite accepts",
      integerOption("answer-ms", 1, 600_000),
      DEFAULT_ANSWER_MS,
    )
    .option(
      "--min-token-lifetime-ms <ms>",
      "shortest C21 token lifetime the suite accepts",
      integerOption("min-token-lifetime-ms", 0, 2 ** 31 - 1),
      DEFAULT_MIN_TOKEN_LIFETIME_MS,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm conformance c-third-party --url emulated\n" +
        "  hilfarm conformance c-third-party --url https://192.0.2.20:8443 --tls-cert client.pem --tls-key client-key.pem \\\n" +
        "    --tls-ca ca.pem --cloud-id CID --cloud-key CKEY --device SN1 --gateway GW1 --control 0:SET_POWER=1 \\\n" +
        "    --notify-port 8790 --notify-tls-dir lab-pki\n",
    )
    .action(async (options: ThirdPartyOptions) => {
      const target = await thirdParty(options, io);
      try {
        report(await runClauses(target, only(cThirdPartyClauses, options.only)), target.description);
      } finally {
        await target.close();
      }
    });
}
