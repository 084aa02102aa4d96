import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killAll, startHilfarm } from "../../harness/testing/child-process.ts";
import type { RunReport } from "../../reports/model.ts";
import { junitSchemaErrors } from "../../reports/validate-junit.ts";
import { certifyLabLock, LAB_LOCK } from "./testing/lab-certify.ts";

afterEach(killAll);

/** On real time (about 50 s: the clauses wait out heartbeats and re-logins), so in `npm run test:system`. */
describe("the device-under-test suite, certified as processes", () => {
  it("hilfarm certify passes every clause for a device running as a separate process, on real time, and writes the certification report", async () => {
    // The device under test: hilfarm's own smart lock, in another process, with the lab registry's credentials.
    const { certify, fleet, reports } = await certifyLabLock(["--transport", "tcp", "--seed", "5"]);
    const ready = await certify.until("ready");
    startHilfarm(["devices", "--fleet", fleet, "--platform", String(ready.login), "--log-level", "warn"]);
    const summary = await certify.until("summary");
    expect(await certify.exited).toBe(0);
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
});
