import { defineConfig, mergeConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "./vitest.config.ts";

/**
 * The project's vitest settings with the test files in the order `HILFARM_TEST_ORDER` lists them (comma-separated
 * paths; files it does not list run after them, in the order found) in one worker process, which they share as npm test's
 * files do: bench/virtual-time.bench.ts runs its suites together so that the same one pays the process's warm-up in
 * every round, and cli/run/target-across-files.test.ts runs a suite after another that took the target.
 */
class GivenOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = (process.env.HILFARM_TEST_ORDER ?? "").split(",").filter((path) => path !== "");
    const rank = (file: TestSpecification) => {
      const at = order.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at < 0 ? order.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default mergeConfig(
  base,
  defineConfig({ test: { isolate: false, maxWorkers: 1, sequence: { sequencer: GivenOrder } } }),
);
