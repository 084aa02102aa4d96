import { defineConfig } from "vitest/config";

// `npm run test:system`: checks that need programs from Debian beside Node, which .ci/run installs: the HTML
// reports in a real browser (chromium, headless), and serial links over pseudo-terminal pairs (socat); and checks
// too heavy to share a machine with the rest of npm test: 20,000 held connections (scenarios/hostile/flood-20k);
// the login server's listen backlog under a held event loop (scenarios/load/listen-backlog);
// and checks on real time: the lock API of `hilfarm up` through the vendor's SDK and the independent lock-API peer
// (scenarios/lock-api), distributed farms of worker processes over Mosquitto and the embedded broker (scenarios/load),
// the message-push peers (scenarios/push), the C peers against hilfarm as processes (cli/c-peer*.check.ts), and
// `hilfarm certify` of a device in another process, over the network and over an MQTT link, and beside a background
// fleet (scenarios/conformance, scenarios/serial); `hilfarm replay` against processes (cli/replay.check.ts), and
// `hilfarm load` with a mixed fleet (scenarios/load/mixed-fleet.check.ts), on separate CPUs and with idle workers
// (taskset, chrt: cli/load/process-placement.check.ts).
export default defineConfig({
  test: {
    include: [
      "scenarios/browser/**/*.check.ts",
      "scenarios/serial/**/*.check.ts",
      "scenarios/hostile/**/*.check.ts",
      "scenarios/lock-api/**/*.check.ts",
      "scenarios/load/**/*.check.ts",
      "scenarios/push/**/*.check.ts",
      "scenarios/conformance/**/*.check.ts",
      "cli/**/*.check.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // After-hooks in the order they were registered: the evidence setup's afterEach runs first, so a failure's
    // timeline is taken at the moment the test ended, before the test's own cleanup moves any clock.
    sequence: { hooks: "list" },
    setupFiles: ["harness/testing/fast-check-setup.ts", "scenarios/support/evidence-setup.ts"],
  },
});
