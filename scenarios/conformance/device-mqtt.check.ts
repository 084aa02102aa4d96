import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killAll } from "../../harness/testing/child-process.ts";
import type { RunReport } from "../../reports/model.ts";
import { certifyLabLock, certifyOutcome, startDeviceUnderTest } from "./testing/lab-certify.ts";

afterEach(killAll);

describe("the device-under-test suite over an MQTT link", () => {
  it("hilfarm certify --mqtt-link embedded passes every clause for an emulated device in another process on its MQTT topics", async () => {
    const { certify, fleet, reports } = await certifyLabLock(["--mqtt-link", "embedded?transport=udp"]);
    const ready = await certify.until("ready");
    expect(String(ready.mqtt)).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const device = startDeviceUnderTest(fleet, "--mqtt-link", String(ready.mqtt));
    const summary = await certify.until("summary");
    expect(await certifyOutcome(certify, reports, device)).toEqual({ exit: 0, failing: [] });
    expect(summary).toMatchObject({ verdict: "pass", passed: 10, failed: 0, notRun: 0 });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    // The bridge carried the device's sessions over UDP, as the link URL asked.
    expect(report.device?.transport).toBe("udp");
    expect(report.target).toMatch(
      /device link mqtt:\/\/127\.0\.0\.1:\d+ hilfarm\/link\/<deviceId>\/up\|down \(sessions over udp, cts-json\)/,
    );
  }, 120_000);
});
