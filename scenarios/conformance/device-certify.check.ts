import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killAll } from "../../harness/testing/child-process.ts";
import type { RunReport } from "../../reports/model.ts";
import { junitSchemaErrors } from "../../reports/validate-junit.ts";
import {
  backgroundFleetFile,
  certifyLabLock,
  certifyOutcome,
  LAB_LOCK,
  startDeviceUnderTest,
} from "./testing/lab-certify.ts";

afterEach(killAll);

/** On real time (about 50 s: the clauses wait out heartbeats and re-logins), so in `npm run test:system`. */
describe("the device-under-test suite, certified as processes", () => {
  it("hilfarm certify passes every clause for a device running as a separate process, on real time, and writes the certification report", async () => {
    // The device under test: hilfarm's own smart lock, in another process, with the lab registry's credentials.
    const { certify, fleet, reports } = await certifyLabLock(["--transport", "tcp", "--seed", "5"]);
    const ready = await certify.until("ready");
    const device = startDeviceUnderTest(fleet, "--platform", String(ready.login));
    const summary = await certify.until("summary");
    expect(await certifyOutcome(certify, reports, device)).toEqual({ exit: 0, failing: [] });
    expect(summary).toMatchObject({ verdict: "pass", passed: 11, failed: 0, notApplicable: 0 });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report).toMatchObject({
      kind: "certification",
      seed: "5",
      device: { deviceId: LAB_LOCK, model: "LOCK-01", firmware: "3.1.0.0" },
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

  it("hilfarm certify --background-fleet: the device in another process is certified beside 2,000 emulated devices, and the report shows both", async () => {
    const background = await backgroundFleetFile(2_000);
    const { certify, fleet, reports } = await certifyLabLock([
      "--background-fleet",
      background,
      "--background-churn",
      "2",
    ]);
    // The ready line comes once the platform carries the fleet.
    expect(await certify.until("background")).toMatchObject({ online: 2_000, devices: 2_000 });
    const ready = await certify.until("ready");
    const device = startDeviceUnderTest(fleet, "--platform", String(ready.login));
    const summary = await certify.until("summary");
    expect(await certifyOutcome(certify, reports, device)).toEqual({ exit: 0, failing: [] });
    // 10 clauses of the device under test, and the background fleet's own case.
    expect(summary).toMatchObject({
      verdict: "pass",
      passed: 11,
      failed: 0,
      background: { devices: 2_000, peakOnline: 2_000, lostDevices: 0 },
    });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report.device?.deviceId).toBe(LAB_LOCK);
    expect(report.background).toMatchObject({ fleet: background, devices: 2_000, churnPerSecond: 2 });
    expect(report.background?.latency.heartbeat.count).toBeGreaterThan(2_000);
    expect(report.background?.latency.control.count).toBeGreaterThan(0);
    expect(report.suites.map((s) => s.name)).toEqual([
      "device under test (5.2, 5.4.2, 5.4.3)",
      `background load (${background})`,
    ]);
    const html = await readFile(join(reports, "report.html"), "utf8");
    expect(html).toContain("<h2>Under load</h2>");
    expect(html).toContain(`Device under test (real)</th><td>${LAB_LOCK}: PASS`);
    expect(html).toContain("Background fleet (emulated)</th><td>2000 devices");
    expect(await readFile(join(reports, "background-load", "report.json"), "utf8")).toContain(
      '"hilfarm-load/1"',
    );
    // The evidence is the device under test's alone.
    const evidence = (await readFile(join(reports, "evidence.jsonl"), "utf8")).trim().split("\n").slice(1);
    expect(evidence.every((line) => (JSON.parse(line) as { deviceId: string }).deviceId === LAB_LOCK)).toBe(
      true,
    );
    expect(await junitSchemaErrors(await readFile(join(reports, "junit.xml"), "utf8"))).toEqual([]);
  }, 120_000);
});
