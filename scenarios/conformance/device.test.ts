import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { killAll, repoRoot, startHilfarm } from "../../harness/testing/child-process.ts";
import type { RunReport } from "../../reports/model.ts";
import { junitSchemaErrors } from "../../reports/validate-junit.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { emulatedDeviceTarget, externalDeviceTarget } from "../target/device-target.ts";
import { type ClauseResult, runClauses } from "./clause.ts";
import { deviceClauses } from "./device-clauses.ts";

const time = reportSimulatedTime("conformance: device under test");
afterEach(killAll);

const summary = (results: ClauseResult[]) =>
  results.map((r) => `${r.status} ${r.clause} ${r.title}${r.detail ? `: ${r.detail}` : ""}`);

describe("the device-under-test suite", () => {
  it("passes every clause for an emulated device, on virtual time", async () => {
    const target = await emulatedDeviceTarget("air-conditioner", { evidence: testEvidence });
    time.track(target.clock as VirtualClock);
    try {
      const results = await runClauses(target, deviceClauses);
      expect(summary(results).filter((line) => !line.startsWith("pass"))).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it("reports a clause needing a power cycle as not applicable for a device on the bench", async () => {
    const target = await externalDeviceTarget({
      device: { deviceId: "0000aaaabbbbccccdddd0009", pin: "DUTPIN0123456789abcdefghijklmnop" },
      heartbeatSeconds: 2,
      evidence: testEvidence,
    });
    try {
      const [result] = await runClauses(target, [
        {
          clause: "5.4.2.2",
          title: "UDP again after a power cycle",
          needs: ["power-cycle"],
          run: async () => undefined,
        },
      ]);
      expect(result).toMatchObject({
        status: "not-applicable",
        detail: expect.stringMatching(/lacks power-cycle$/),
      });
    } finally {
      await target.close();
    }
  });

  it("fails 5.4.2.3, naming it, for a device that skips its heartbeats", async () => {
    const target = await emulatedDeviceTarget("air-conditioner", {
      misbehaviour: { skipHeartbeats: true },
      evidence: testEvidence,
    });
    time.track(target.clock as VirtualClock);
    try {
      const results = await runClauses(target, deviceClauses.slice(0, 5));
      const failed = results.filter((r) => r.status === "fail");
      expect(failed.map((r) => r.clause)).toEqual(["5.4.2.3"]);
      expect(failed[0]?.title).toMatch(/heartbeats at the interval/);
    } finally {
      await target.close();
    }
  });

  it("hilfarm certify passes every clause for a device running as a separate process, on real time, and writes the certification report", async () => {
    // The device under test: hilfarm's own smart lock, in another process, with the lab registry's credentials.
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-dut-"));
    const fleet = join(dir, "fleet.json");
    const reports = join(dir, "reports");
    await writeFile(
      fleet,
      JSON.stringify({
        devices: [{ profile: "smart-lock", count: 1 }],
        registry: join(repoRoot, "examples/registry/lab.json"),
      }),
    );
    const certify = startHilfarm([
      "certify",
      "--registry",
      "examples/registry/lab.json",
      "--device",
      "0000111122223333aaaabbbc",
      "--heartbeat",
      "2",
      "--transport",
      "tcp",
      "--seed",
      "5",
      ...["--login-port", "0", "--tcp-port", "0", "--udp-port", "0", "--http-port", "0"],
      "--report-dir",
      reports,
    ]);
    const ready = await certify.until("ready");
    startHilfarm(["devices", "--fleet", fleet, "--platform", String(ready.login), "--log-level", "warn"]);
    const summary = await certify.until("summary");
    expect(await certify.exited).toBe(0);
    expect(summary).toMatchObject({ verdict: "pass", passed: 11, failed: 0, notApplicable: 0 });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report).toMatchObject({
      kind: "certification",
      seed: "5",
      device: { deviceId: "0000111122223333aaaabbbc", model: "LOCK-01", firmware: "3.1.0.0" },
    });
    expect(report.device?.transport).toContain("tcp");
    expect(report.latencies.control.length).toBeGreaterThan(0);
    expect(await junitSchemaErrors(await readFile(join(reports, "junit.xml"), "utf8"))).toEqual([]);
    const html = await readFile(join(reports, "report.html"), "utf8");
    expect(html).toContain('<section id="certificate"><h1>Certification report</h1>');
    expect(html.match(/<tr class="case pass"/g)?.length).toBe(11);
    const evidence = (await readFile(join(reports, "evidence.jsonl"), "utf8")).trim().split("\n");
    expect(evidence.length).toBeGreaterThan(50);
    expect(evidence.join("\n")).not.toContain("QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv");
    // Tokens and session keys appear masked only, in bodies and in the raw envelopes alike.
    expect(evidence.join("\n")).not.toMatch(/(token|sessionKey)\\?":\\?"(?!\[redacted\])/);
  }, 120_000);
});
