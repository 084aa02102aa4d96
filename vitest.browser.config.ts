import { defineConfig } from "vitest/config";

// `npm run test:browser`: the HTML reports opened in a real browser (Debian's chromium, headless; .ci/run installs it).
export default defineConfig({
  test: {
    include: ["scenarios/browser/**/*.check.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["harness/testing/fast-check-setup.ts", "harness/evidence/vitest-setup.ts"],
  },
});
