import { afterEach, describe, expect, it } from "vitest";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { killAll } from "../../harness/testing/child-process.ts";
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
});
