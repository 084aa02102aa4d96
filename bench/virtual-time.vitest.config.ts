import { defineConfig, mergeConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "../vitest.config.ts";

/**
 * The project's vitest settings for bench/virtual-time.bench.ts's run of its suites together: one worker process, so
 * that the files share it as npm test's files do (`isolate: false`), and the files in the order `BENCH_VT_ORDER`
 * lists them (comma-separated paths), so that the same suite pays the process's warm-up in every round.
 */
class GivenOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = (process.env.BENCH_VT_ORDER ?? "").split(",").filter((path) => path !== "");
    const rank = (file: TestSpecification) => {
      const at = order.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at < 0 ? order.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default mergeConfig(
  base,
  defineConfig({ test: { maxWorkers: 1, sequence: { sequencer: GivenOrder } } }),
);
