import type { Command } from "commander";
import { loadRegistry } from "../../emulators/platform/registry/index.ts";
import { runClauses } from "../../scenarios/conformance/clause.ts";
import { platformClauses } from "../../scenarios/conformance/platform-clauses.ts";
import { platformTarget } from "../target/target.ts";
import type { CliIo } from "./io.ts";

/** `hilfarm conformance platform`: the platform-under-test suite, one JSON line per clause. */
export function addConformanceCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const conformance = program.command("conformance").description("run a conformance suite against a target");
  conformance
    .command("platform")
    .description(
      "Check a platform, clause by clause, from the devices' side of the wire: login, connect over TCP and UDP,\n" +
        "heartbeat, sequences, reports, session replacement, offline detection. One JSON line per clause, then a\n" +
        "summary; exit code 1 if any clause fails.",
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
      const devices = registry
        .all()
        .filter((d) => d.parentId === undefined)
        .map(({ deviceId, pin }) => ({ deviceId, pin }));
      const target = await platformTarget(options.platform, devices);
      try {
        const checks = platformClauses.filter(
          (c) => options.only === undefined || c.clause.startsWith(options.only),
        );
        const results = await runClauses(target, checks);
        for (const r of results)
          io.stdout.write(
            `${JSON.stringify({ event: "clause", ...r, targetMs: Math.round(r.targetMs), wallMs: Math.round(r.wallMs) })}\n`,
          );
        const count = (s: string) => results.filter((r) => r.status === s).length;
        io.stdout.write(
          `${JSON.stringify({ event: "summary", target: target.description, passed: count("pass"), failed: count("fail"), notApplicable: count("not-applicable") })}\n`,
        );
        if (count("fail") > 0) setExitCode(1);
      } finally {
        await target.close();
      }
    });
}
