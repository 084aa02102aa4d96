import { relative } from "node:path";
import type { TestCase } from "vitest/node";
import type { ScenarioEvidence } from "../../harness/evidence/recorder.ts";
import type { CaseReport, RunReport, SuiteReport } from "../../reports/model.ts";
import { emptyLatencies, splitClause } from "../../reports/model.ts";

/** Builds suites (a describe block, or a file's top level) of cases from vitest's test results, in order. */
export class ResultCollector {
  private readonly suites = new Map<string, SuiteReport>();
  readonly latencies = emptyLatencies();
  readonly online: RunReport["online"] = [];

  constructor(private readonly root: string) {}

  /** The test's case, or undefined for a test the run did not select (--grep, `.skip` in the file). */
  add(test: TestCase): CaseReport | undefined {
    if (test.options.mode !== "run" && test.options.mode !== "only") return undefined;
    const file = relative(this.root, test.module.moduleId);
    const group = test.parent.type === "suite" ? test.parent.name : file;
    const key = `${file}\u0000${group}`;
    let suite = this.suites.get(key);
    if (suite === undefined) {
      suite = { name: group, file, cases: [] };
      this.suites.set(key, suite);
    }
    const result = test.result();
    const evidence = test.meta().hilfarm as ScenarioEvidence | undefined;
    const { clause, title } = splitClause(test.name);
    // A test skips itself with a reason when its target cannot do what it checks (not applicable); a test skipped
    // with no reason did not run at all, as when its suite's setup failed.
    const status =
      result.state === "passed"
        ? "pass"
        : result.state === "failed"
          ? "fail"
          : result.state === "skipped" && result.note !== undefined
            ? "not-applicable"
            : "not-run";
    const detail =
      result.state === "failed"
        ? (result.errors?.map((e) => e.message).join("\n") ?? "failed")
        : result.state === "skipped" && result.note !== undefined
          ? result.note
          : result.state === "passed"
            ? ""
            : "not run: its suite could not start (see the suite's error)";
    const report: CaseReport = {
      clause,
      title,
      status,
      detail,
      wallMs: test.diagnostic()?.duration ?? 0,
      targetMs: evidence?.targetMs ?? 0,
      ...(status === "fail" && evidence?.timeline !== undefined ? { timeline: evidence.timeline } : {}),
    };
    suite.cases.push(report);
    if (evidence !== undefined) {
      for (const [kind, samples] of Object.entries(evidence.latencies) as Array<
        [keyof typeof this.latencies, number[]]
      >)
        for (const s of samples) if (this.latencies[kind].length < 100_000) this.latencies[kind].push(s);
      if (evidence.online.length > 1)
        this.online.push({ label: `${clause} ${title}`.trim().slice(0, 60), points: evidence.online });
    }
    return report;
  }

  get results(): SuiteReport[] {
    return [...this.suites.values()];
  }
}
