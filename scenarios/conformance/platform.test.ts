import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORTS, killAll, startHilfarm } from "../../harness/testing/child-process.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { emulatedPlatformTarget, externalPlatformTarget } from "../target/target.ts";
import { type ClauseResult, runClauses } from "./clause.ts";
import { platformClauses } from "./platform-clauses.ts";

/** The device examples/registry/lab.json registers first. */
const LAB_DEVICE = { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" };
const time = reportSimulatedTime("conformance: platform under test");
const freePorts = [...FREE_PORTS, "--no-mqtt"];

afterEach(killAll);

const failures = (results: ClauseResult[]) =>
  results.filter((r) => r.status !== "pass").map((r) => `${r.clause} ${r.title}: ${r.detail}`);

/** Our platform as a separate process, with a short heartbeat so the real-time offline clause takes seconds. */
async function platformProcess(extra: string[] = []) {
  const run = startHilfarm([
    "platform",
    "--registry",
    "examples/registry/lab.json",
    "--heartbeat",
    "2",
    ...freePorts,
    ...extra,
  ]);
  const ready = await run.next();
  return externalPlatformTarget(`tcp://${String(ready.login)}`, [LAB_DEVICE], { evidence: testEvidence });
}

describe("the platform-under-test suite", () => {
  it("passes every clause against hilfarm's platform in process, on virtual time", async () => {
    const target = await emulatedPlatformTarget([LAB_DEVICE], { evidence: testEvidence });
    time.track(target.clock as import("../../harness/clock/virtual-clock.ts").VirtualClock);
    try {
      const results = await runClauses(target, platformClauses);
      expect(failures(results)).toEqual([]);
      expect(results).toHaveLength(platformClauses.length);
    } finally {
      await target.close();
    }
  });

  it("passes against hilfarm's platform as a separate process on real time, and fails, naming the clause, against one broken on purpose", async () => {
    const [good, broken] = await Promise.all([
      platformProcess(),
      platformProcess(["--offline-heartbeats", "2"]),
    ]);
    const [goodResults, brokenResults] = await Promise.all([
      runClauses(good, platformClauses),
      runClauses(
        broken,
        platformClauses.filter((c) => c.clause === "5.4.2.3"),
      ),
    ]);
    expect(failures(goodResults)).toEqual([]);
    const failed = brokenResults.filter((r) => r.status === "fail");
    expect(failed.map((r) => r.clause)).toEqual(["5.4.2.3"]);
    expect(failed[0]?.title).toMatch(/declared offline .* 3 heartbeat intervals \+ 10 s/);
    expect(failed[0]?.detail).toMatch(
      /^expected offline after 16000 ms of silence; saw offline after 1[34]\d{3} ms$/,
    );
  }, 60_000);

  it("reports a clause that needs what the target lacks as not applicable, with the reason", async () => {
    const target = externalPlatformTarget("tcp://127.0.0.1:9", [LAB_DEVICE]);
    const [result] = await runClauses(target, [
      { clause: "x", title: "needs virtual time", needs: ["virtual-time"], run: async () => undefined },
    ]);
    expect(result).toMatchObject({
      status: "not-applicable",
      detail: "platform under test at 127.0.0.1:9 lacks virtual-time",
    });
  });
});
