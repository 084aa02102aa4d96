import { join } from "node:path";
import type { Command } from "commander";
import type { RunReport } from "../reports/model.ts";
import { totals } from "../reports/model.ts";
import { defaultReportDir, writeReports } from "../reports/write-reports.ts";
import type { CliIo } from "./io.ts";
import { integerOption } from "./options.ts";
import { Progress } from "./run/progress.ts";
import { runSuites } from "./run/run-suites.ts";
import { harnessInfo } from "./version.ts";

interface RunOptions {
  target?: string;
  registry?: string;
  seed?: number;
  reportDir?: string;
  grep?: string;
  evidence?: boolean;
}

/** `hilfarm run`: scenario suites through vitest, then JUnit, JSON and HTML reports. */
export function addRunCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command("run")
    .description(
      "Run scenario suites (directories or files under scenarios/) and write JUnit, JSON and HTML reports.\n" +
        "Exit code 0 when everything applicable passed, 1 when anything failed, 2 for a usage error.",
    )
    .argument("<suites...>", "scenario directories or files, e.g. scenarios/timing")
    .option(
      "--target <target>",
      "for suites that take a target: `emulated` (default) or tcp://host:port of a platform under test",
    )
    .option("--registry <file>", "devices an external target knows (JSON or CSV), with --target tcp://...")
    .option(
      "--seed <n>",
      "seed of the property-based suites (fast-check); printed and recorded when not given, replay with it",
      integerOption("seed", -2147483648, 2147483647),
    )
    .option("--report-dir <dir>", "where the reports go (default reports/out/<timestamp>)")
    .option("--grep <pattern>", "only tests whose name matches this regular expression (e.g. 5.4.2.3)")
    .option(
      "--evidence",
      "also record every frame of every test to <report-dir>/evidence/ (hilfarm frame decode reads it)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm run scenarios/timing\n  hilfarm run scenarios/timing scenarios/properties --seed 42 --report-dir reports/out/nightly\n" +
        "  hilfarm run scenarios/conformance/platform-target.test.ts --target tcp://192.0.2.10:8700 --registry lab.csv\n" +
        "  hilfarm run scenarios --grep '^5\\.2' --evidence\n",
    )
    .action(async (paths: string[], options: RunOptions) => {
      const startedAt = new Date();
      const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
      const dir = options.reportDir ?? defaultReportDir(startedAt);
      const evidenceDir = options.evidence ? join(dir, "evidence") : undefined;
      const progress = new Progress(io.stdout);
      progress.line(`hilfarm run: seed ${seed} (replay with --seed ${seed}), reports in ${dir}`);
      const outcome = await runSuites({
        paths,
        seed,
        progress,
        ...(options.target === undefined ? {} : { target: options.target }),
        ...(options.registry === undefined ? {} : { registry: options.registry }),
        ...(options.grep === undefined ? {} : { grep: options.grep }),
        ...(evidenceDir === undefined ? {} : { evidenceDir }),
      });
      const finishedAt = new Date();
      const suites = outcome.suites;
      if (outcome.errors.length > 0) {
        suites.push({
          name: "errors outside any test",
          cases: outcome.errors.map((detail) => ({
            clause: "",
            title: "a suite could not run",
            status: "fail" as const,
            detail,
            wallMs: 0,
            targetMs: 0,
          })),
        });
      }
      const report: RunReport = {
        kind: "run",
        title: `hilfarm run ${paths.join(" ")}`,
        harness: harnessInfo(),
        command: `hilfarm run ${process.argv.slice(3).join(" ")}`.trim(),
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        wallMs: finishedAt.getTime() - startedAt.getTime(),
        seed: String(seed),
        target: options.target ?? "emulated: hilfarm's platform and devices in process, virtual time",
        suites,
        latencies: outcome.latencies,
        online: outcome.online,
        ...(evidenceDir === undefined ? {} : { evidence: evidenceDir }),
      };
      const written = await writeReports(dir, report);
      const t = totals(report);
      const ran = t.passed + t.failed > 0;
      // A run that checked nothing is not a pass: a CI job must not go green on it.
      const verdict = t.failed > 0 || t.notRun > 0 ? "FAIL" : ran ? "PASS" : "NOTHING RAN";
      progress.line(
        `${verdict}: ${t.passed} passed, ${t.failed} failed, ${t.notApplicable} not applicable${t.notRun > 0 ? `, ${t.notRun} not run` : ""}\n` +
          `reports: ${written.junit}, ${written.json}, ${written.html}`,
      );
      if (verdict !== "PASS") setExitCode(1);
    });
}
