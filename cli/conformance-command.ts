import type { Command } from "commander";
import { loadRegistry } from "../emulators/platform/registry/index.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { type ClauseResult, runClauses } from "../scenarios/conformance/clause.ts";
import { deviceClauses } from "../scenarios/conformance/device-clauses.ts";
import { platformClauses } from "../scenarios/conformance/platform-clauses.ts";
import { externalDeviceTarget } from "../scenarios/target/device-target.ts";
import { platformTarget } from "../scenarios/target/target.ts";
import { addCConformanceCommands } from "./c-conformance-command.ts";
import { reportClauses } from "./clause-report.ts";
import type { CliIo } from "./io.ts";
import { addLockApiConformanceCommand } from "./lock-api-conformance-command.ts";
import {
  type HttpApiCommandOptions,
  hostOption,
  httpApiOptions,
  type PlatformPortCommandOptions,
  platformPortOptions,
} from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { addPushConformanceCommands } from "./push-conformance-command.ts";

interface DeviceOptions extends HttpApiCommandOptions, PlatformPortCommandOptions {
  registry: string;
  device: string;
  host: string;
  heartbeat: number;
}

/** `hilfarm conformance platform|device`: a conformance suite, one JSON line per clause, then a summary. */
export function addConformanceCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const report = (results: ClauseResult[], description: string): void =>
    reportClauses(io, results, description, setExitCode);

  const conformance = program
    .command("conformance")
    .description("run a conformance suite against a target, clause by clause");
  conformance
    .command("platform")
    .description(
      "Check a platform from the devices' side of the wire: login, connect over TCP and UDP, heartbeat, sequences,\n" +
        "reports, session replacement, offline detection. Exit code 1 if any clause fails.",
    )
    .requiredOption(
      "--platform <target>",
      "tcp://host:port of the platform's login server, or `emulated` (hilfarm's own, virtual time)",
    )
    .requiredOption(
      "--registry <file>",
      "devices the platform knows (JSON or CSV); the suite plays the first",
    )
    .option("--only <clause>", "run only the clauses whose number starts with this (e.g. 5.4.2.3)")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm conformance platform --platform tcp://192.0.2.10:8700 --registry lab.csv\n" +
        "  hilfarm conformance platform --platform emulated --registry examples/registry/lab.json\n",
    )
    .action(async (options: { platform: string; registry: string; only?: string }) => {
      const registry = await loadRegistry(options.registry);
      const devices = registry.loginDevices();
      const target = await platformTarget(options.platform, devices);
      try {
        const checks = platformClauses.filter(
          (c) => options.only === undefined || c.clause.startsWith(options.only),
        );
        report(await runClauses(target, checks), target.description);
      } finally {
        await target.close();
      }
    });

  const device = conformance
    .command("device")
    .description(
      "Check a device from the platform's side: hilfarm's platform listens and the device under test connects to it\n" +
        "(switch it on once the ready line is printed). Login, connect, reports after connect, heartbeat interval,\n" +
        "query, control, retransmission, resends and re-login, platform sequence errors. Exit code 1 if any fails.",
    )
    .requiredOption("--registry <file>", "the device's credentials (JSON or CSV)")
    .requiredOption("--device <deviceId>", "which registry entry is the device under test");
  hostOption.add(device, "interface the device ports listen on (0.0.0.0 for a lab network)");
  platformPortOptions.add(device, {
    login: "login server",
    tcp: "TCP connection server",
    udp: "UDP connection server",
    http: "northbound API",
  });
  httpApiOptions
    .add(device)
    .option(
      "--heartbeat <seconds>",
      "heartBeat given to the device in 1005: short, so the suite takes minutes",
      integerOption("heartbeat", 1, 86400),
      5,
    )
    .addHelpText(
      "after",
      "\nExample:\n  hilfarm conformance device --registry lab.csv --device 0000111122223333aaaabbbb --host 0.0.0.0\n",
    )
    .action(async (options: DeviceOptions) => {
      const entry = (await loadRegistry(options.registry)).get(options.device);
      if (entry === undefined)
        throw new UsageError("device", `--device ${showValue(options.device)} is not in ${options.registry}`);
      const target = await externalDeviceTarget({
        device: {
          deviceId: entry.deviceId,
          pin: entry.pin,
          ...(entry.model === undefined ? {} : { model: entry.model }),
        },
        host: options.host,
        ports: platformPortOptions.ports(options),
        ...httpApiOptions.platform(options),
        heartbeatSeconds: options.heartbeat,
      });
      try {
        const { login, tcp, udp, http } = target.platform.addresses;
        io.stdout.write(
          `${JSON.stringify({ event: "ready", login, tcp, udp, http, apiAuth: httpApiOptions.auth(options), waitingFor: entry.deviceId })}\n`,
        );
        report(await runClauses(target, deviceClauses), target.description);
      } finally {
        await target.close();
      }
    });

  addCConformanceCommands(conformance, io, report);
  addLockApiConformanceCommand(conformance, io, report);
  addPushConformanceCommands(conformance, io, report);
}
