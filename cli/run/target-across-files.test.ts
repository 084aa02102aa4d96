import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, startNode } from "../../harness/testing/child-process.ts";

const TAKES_TARGET = "scenarios/hostile/hostile-target.test.ts";
const NEEDS_OWN = "scenarios/timing/requests.test.ts";

interface JsonReport {
  testResults: Array<{ name: string; assertionResults: Array<{ status: string }> }>;
}

/** vitest on these files in this order, in one process they share (vitest.ordered.config.ts): each file's statuses. */
async function runInOrder(files: string[], env: NodeJS.ProcessEnv): Promise<Map<string, string[]>> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-target-env-"));
  try {
    const output = join(dir, "report.json");
    const vitest = startNode(
      [
        "node_modules/vitest/vitest.mjs",
        "run",
        "--config",
        "vitest.ordered.config.ts",
        "--reporter=json",
        `--outputFile=${output}`,
        ...files,
      ],
      { ...env, HILFARM_TEST_ORDER: files.join(",") },
    );
    const code = await vitest.exited;
    const written = await readFile(output, "utf8").catch(() => undefined);
    if (written === undefined)
      throw new Error(`vitest exited ${code} with no report; stderr: ${vitest.stderr.join("").slice(-2000)}`);
    const report = JSON.parse(written) as JsonReport;
    return new Map(
      report.testResults.map((file) => [
        file.name.slice(repoRoot.length).replace(/^\//, ""),
        file.assertionResults.map((test) => test.status),
      ]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("a suite's target, in a process test files share", () => {
  it("a suite that needs hilfarm's own platform is not applicable against someone else's target after a file that took it", async () => {
    const statuses = await runInOrder([TAKES_TARGET, NEEDS_OWN], {
      HILFARM_TARGET: "tcp://127.0.0.1:9",
      HILFARM_REGISTRY: join(repoRoot, "examples/registry/lab.json"),
      HILFARM_HOSTILE_FLOOD: "10",
    });
    // The suite that takes the target ran its clauses against it (nothing listens there: they fail).
    expect(statuses.get(TAKES_TARGET)).toContain("failed");
    expect(statuses.get(NEEDS_OWN)).toEqual(Array(6).fill("skipped"));
  }, 60_000);
});
