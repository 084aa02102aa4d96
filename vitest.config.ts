import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "harness/**/*.test.ts",
      "emulators/**/*.test.ts",
      "reports/**/*.test.ts",
      "scenarios/**/*.test.ts",
      "cli/**/*.test.ts",
      "bin/**/*.test.ts",
      "bench/**/*.test.ts",
    ],
    // Timing runs on the VirtualClock; a test that needs more than this is waiting on something real.
    testTimeout: 30_000,
    pool: "forks",
    // A worker process runs one test file after another without starting afresh: each file runs the setup files again,
    // but the modules it imports are the process's, loaded by the files before it with their module-level state, as is
    // the JIT's work (npm test: 198 s isolated, 105-132 s so; docs/benchmarks.md, "Test files sharing a process"). A
    // test must leave the process as it found it: servers closed, spies restored, environment unstubbed, library and
    // module state put back (the evidence setup forgets a suite's target: scenarios/target/target-env.ts).
    isolate: false,
    // After-hooks in the order they were registered: the evidence setup's afterEach runs first, so a failure's
    // timeline is taken at the moment the test ended, before the test's own cleanup moves any clock.
    sequence: { hooks: "list" },
    setupFiles: ["harness/testing/fast-check-setup.ts", "scenarios/support/evidence-setup.ts"],
  },
});
