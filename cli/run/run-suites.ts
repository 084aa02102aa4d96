import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { TestCase, TestModule } from "vitest/node";
import { showValue, UsageError } from "../../harness/errors.ts";
import type { ScenarioEvidence } from "../../harness/evidence/recorder.ts";
import { repoRoot } from "../../harness/repo-root.ts";
import type { RunReport, SuiteReport } from "../../reports/model.ts";
import { parsePlatformTarget } from "../../scenarios/target/target.ts";
import { ResultCollector } from "./collect.ts";
import type { Progress } from "./progress.ts";

export interface RunSuitesOptions {
  /** Scenario files or directories, relative to the working directory. */
  paths: string[];
  seed: number;
  /** Passed to suites that take a target (HILFARM_TARGET); the others need hilfarm's own, on virtual time. */
  target?: string;
  /** Devices an external target knows (HILFARM_REGISTRY). */
  registry?: string;
  /** Only tests whose name matches this regular expression. */
  grep?: string;
  /** Write every frame of every test below this directory. */
  evidenceDir?: string;
  progress?: Progress;
}

export interface SuitesOutcome {
  suites: SuiteReport[];
  latencies: RunReport["latencies"];
  online: RunReport["online"];
  /** Errors outside any test (a suite that failed to load, an unhandled rejection). */
  errors: string[];
}

const peak = (evidence: ScenarioEvidence | undefined) =>
  (evidence?.online ?? []).reduce((max, [, n]) => Math.max(max, n), 0);

/** Runs scenario suites through vitest's node API in this process's environment and collects their results. */
export async function runSuites(options: RunSuitesOptions): Promise<SuitesOutcome> {
  const root = repoRoot;
  const filters = options.paths.map((path) => {
    const absolute = isAbsolute(path) ? path : resolve(path);
    if (!existsSync(absolute)) throw new UsageError("suite", `no such suite or file: ${showValue(path)}`);
    const inside = relative(root, absolute);
    if (inside.startsWith("..")) {
      throw new UsageError(
        "suite",
        `${showValue(path)} is outside the hilfarm checkout (${root}); suites live in scenarios/`,
      );
    }
    return inside === "" ? "." : inside;
  });
  if (options.grep !== undefined) {
    try {
      new RegExp(options.grep);
    } catch {
      throw new UsageError("grep", `--grep ${showValue(options.grep)} is not a regular expression`);
    }
  }
  if (
    options.target !== undefined &&
    parsePlatformTarget(options.target).kind === "external" &&
    options.registry === undefined
  )
    throw new UsageError(
      "registry",
      `--target ${showValue(options.target)} needs --registry: the devices that platform knows`,
    );
  if (options.registry !== undefined && !existsSync(options.registry))
    throw new UsageError("registry", `no such registry file: ${showValue(options.registry)}`);
  process.env.HILFARM_SEED = String(options.seed);
  if (options.target !== undefined) process.env.HILFARM_TARGET = options.target;
  if (options.registry !== undefined) process.env.HILFARM_REGISTRY = resolve(options.registry);
  if (options.evidenceDir !== undefined) process.env.HILFARM_EVIDENCE_DIR = resolve(options.evidenceDir);

  const collector = new ResultCollector(root);
  const errors: string[] = [];
  const perModule = new Map<
    string,
    { total: number; done: number; failed: number; na: number; notRun: number; peak: number }
  >();
  const reporter = {
    onTestModuleCollected(module: TestModule) {
      perModule.set(module.moduleId, {
        total: [...module.children.allTests()].filter(
          (t) => t.options.mode === "run" || t.options.mode === "only",
        ).length,
        done: 0,
        failed: 0,
        na: 0,
        notRun: 0,
        peak: 0,
      });
    },
    onTestCaseResult(test: TestCase) {
      const c = collector.add(test);
      const m = perModule.get(test.module.moduleId);
      if (c === undefined || m === undefined) return;
      m.done++;
      if (c.status === "fail") m.failed++;
      if (c.status === "not-applicable") m.na++;
      if (c.status === "not-run") m.notRun++;
      const evidence = test.meta().hilfarm as ScenarioEvidence | undefined;
      m.peak = Math.max(m.peak, peak(evidence));
      options.progress?.update(relative(root, test.module.moduleId), m.done, m.total, m.failed, m.peak);
    },
    onTestModuleEnd(module: TestModule) {
      const m = perModule.get(module.moduleId);
      for (const error of module.errors())
        errors.push(`${relative(root, module.moduleId)}: ${error.message}`);
      for (const suite of module.children.allSuites())
        for (const error of suite.errors())
          errors.push(`${relative(root, module.moduleId)} > ${suite.fullName}: ${error.message}`);
      if (m !== undefined)
        options.progress?.suiteDone(
          relative(root, module.moduleId),
          m.done - m.failed - m.na - m.notRun,
          m.failed,
          m.na,
          m.notRun,
          m.peak,
        );
    },
    onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message: string }>) {
      for (const error of unhandled) errors.push(`unhandled: ${error.message}`);
    },
  };

  const { startVitest } = await import("vitest/node");
  const vitest = await startVitest("test", filters, {
    root,
    config: join(root, "vitest.config.ts"),
    watch: false,
    reporters: [reporter],
    // Someone else's target runs on real time: a clause may wait minutes (offline after 3 heartbeats + 10 s).
    ...(options.target !== undefined && parsePlatformTarget(options.target).kind === "external"
      ? { testTimeout: 15 * 60_000, hookTimeout: 60_000 }
      : {}),
    ...(options.grep === undefined ? {} : { testNamePattern: options.grep }),
  });
  try {
    if (vitest.state.getFiles().length === 0)
      throw new UsageError(
        "suite",
        `no scenario files found in ${options.paths.map((p) => showValue(p)).join(", ")}`,
      );
  } finally {
    await vitest.close();
  }
  return { suites: collector.results, latencies: collector.latencies, online: collector.online, errors };
}
