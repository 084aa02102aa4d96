import { isIP } from "node:net";
import { join } from "node:path";
import type { Command } from "commander";
import { loadRegistry } from "../emulators/platform/registry/index.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { repoRoot } from "../harness/repo-root.ts";
import { runClauses } from "../scenarios/conformance/clause.ts";
import { hostileClauses } from "../scenarios/hostile/hostile-clauses.ts";
import { parsePlatformTarget, platformTarget } from "../scenarios/target/target.ts";
import { reportClauses } from "./clause-report.ts";
import {
  addSurfaceOptions,
  runSurfaceHostile,
  type SurfaceHostileOptions,
  surfaceOf,
} from "./hostile-surfaces.ts";
import type { CliIo } from "./io.ts";
import { apiTokenOption } from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { holdingOpen } from "./until-stopped.ts";

interface HostileOptions extends SurfaceHostileOptions {
  platform?: string;
  registry?: string;
  api?: string;
  apiToken?: string;
  flood: number;
  floodFrom?: string;
  loginFrom?: string;
}

const address = (name: string) => (value: string) => {
  if (isIP(value) === 0)
    throw new UsageError(name, `--${name} must be an IP address, got ${showValue(value)}`);
  return value;
};

/** `hilfarm hostile`: the hostile-input suite (scenarios/hostile/), one JSON line per clause, then a summary. */
export function addHostileCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const hostile = program
    .command("hostile")
    .description(
      "Replay what a hostile tester did against a platform, clause by clause: frames nested 5,000 deep on every\n" +
        "device port (H1), replayed logins, connects and requests (H2), connection floods from one address (H3), and\n" +
        "oversized, wrongly-sent, deeply nested or unauthenticated API requests (H4). Or, instead of --platform, the\n" +
        "clauses of one HTTP surface: a smart-lock open API (H7, --lock-api), a message-push receiver (H8,\n" +
        "--push-receiver), an Aqara-style open API (H9, --aqara-api). Exit code 1 if any clause fails.",
    )
    .option(
      "--platform <target>",
      "tcp://host:port of the platform's login server, or `emulated` (hilfarm's own, in process; settings such as emulated?max-pending-per-address=50)",
    )
    .option(
      "--registry <file>",
      "devices the platform knows (JSON or CSV); the suite plays the first two (default for emulated: examples/registry/lab.json)",
    )
    .option(
      "--api <url>",
      "the platform's northbound API (http://host:port); without it the API clauses do not apply",
    );
  apiTokenOption
    .add(
      hostile,
      "bearer token of the API (checks H4.5 refusals without it); prefer the environment variable: arguments show in ps",
    )
    .option(
      "--flood <n>",
      "connections held open during H3, half on the login port and half on the TCP connection port",
      integerOption("flood", 0, 50_000),
      20_000,
    )
    .option(
      "--flood-from <address>",
      "source address of the flood (default 127.0.0.1 for a platform on loopback)",
      address("flood-from"),
    )
    .option(
      "--login-from <address>",
      "source address of the login that must keep working during the flood (default 127.0.0.2 for a platform on loopback)",
      address("login-from"),
    )
    .option("--only <clause>", "run only the clauses whose id starts with this (e.g. H2)");
  addSurfaceOptions(hostile)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm hostile --platform tcp://192.0.2.10:8700 --registry lab.csv --api http://192.0.2.10:8780 --flood-from 192.0.2.50 --login-from 192.0.2.51\n" +
        "  hilfarm hostile --platform tcp://127.0.0.1:8700 --registry examples/registry/lab.json --api http://127.0.0.1:8780\n" +
        "  hilfarm hostile --platform 'emulated?max-pending-per-address=50&max-pending-connections=200' --flood 400\n" +
        "  HILFARM_LOCK_API_SECRET=... hilfarm hostile --lock-api https://lock.example --lock-api-client-id ID\n" +
        "  HILFARM_PUSH_APP_SECRET=... hilfarm hostile --push-receiver http://127.0.0.1:8090/ --push-app-key k1\n" +
        "  HILFARM_AQARA_APP_KEY=... hilfarm hostile --aqara-api http://127.0.0.1:8791 --aqara-app-id APP --aqara-key-id k1\n" +
        "  hilfarm hostile --aqara-api emulated\n",
    )
    .action(async (options: HostileOptions) => {
      const surface = surfaceOf(options);
      if (surface !== undefined) {
        const { results, description } = await runSurfaceHostile(surface, options);
        reportClauses(io, results, description, setExitCode);
        return;
      }
      const platform = options.platform as string;
      const spec = parsePlatformTarget(platform);
      if (spec.kind === "external" && options.registry === undefined)
        throw new UsageError(
          "registry",
          `--platform ${showValue(platform)} needs --registry: the devices that platform knows`,
        );
      if (options.api !== undefined && !/^https?:\/\/[^/]+\/?$/.test(options.api))
        throw new UsageError("api", `--api must be http://host:port, got ${showValue(options.api)}`);
      const registry = await loadRegistry(options.registry ?? join(repoRoot, "examples/registry/lab.json"));
      const devices = registry.loginDevices();
      const target = await platformTarget(platform, devices, {
        ...(options.api === undefined ? {} : { apiUrl: options.api.replace(/\/$/, "") }),
        ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
      });
      try {
        const checks = hostileClauses({
          flood: options.flood,
          ...(options.floodFrom === undefined ? {} : { floodFrom: options.floodFrom }),
          ...(options.loginFrom === undefined ? {} : { loginFrom: options.loginFrom }),
        }).filter((c) => options.only === undefined || c.clause.startsWith(options.only));
        if (checks.length === 0)
          throw new UsageError("only", `--only ${showValue(options.only)} matches no clause (H1 to H4)`);
        // A clause may wait on the target's (unref'd) timers alone: a pause between replays, a deadline.
        const results = await holdingOpen(() => runClauses(target, checks));
        reportClauses(io, results, target.description, setExitCode);
      } finally {
        await target.close();
      }
    });
}
