import { afterEach, describe, expect, it } from "vitest";
import { killAll, startPlatformProcess } from "../../harness/testing/child-process.ts";
import { emulatedAqaraApiTarget } from "../conformance/aqara-api-target.ts";
import { emulatedSmartHomeTarget } from "../conformance/c-smart-home-target.ts";
import { emulatedThirdPartyTarget } from "../conformance/c-third-party-target.ts";
import { type ClauseResult, runClauses } from "../conformance/clause.ts";
import { emulatedLockApiTarget } from "../conformance/lock-api-emulated.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { externalPlatformTarget, platformTarget } from "../target/target.ts";
import {
  aqaraApiHostileClauses,
  cNotifyClauses,
  cThirdPartyClauses,
  hostileClauses,
  lockApiHostileClauses,
} from "./hostile-clauses.ts";
import { apiRequest } from "./wire.ts";

/** Devices examples/registry/lab.json registers (the first two). */
const LAB = [
  { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" },
  { deviceId: "0000111122223333aaaabbbc", pin: "QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv" },
];

afterEach(killAll);

const failures = (results: ClauseResult[]) =>
  results.filter((r) => r.status === "fail").map((r) => `${r.clause} ${r.title}: ${r.detail}`);
const statuses = (results: ClauseResult[]) => Object.fromEntries(results.map((r) => [r.clause, r.status]));

/** A counter of the platform's /metrics, summed over its labels (0 when absent). */
function counter(metrics: string, name: string, labels = ""): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("the hostile-input suite against hilfarm's platform", () => {
  it("passes every clause against `hilfarm platform` as a separate process on real time: the nested frames do not stop it", async () => {
    // A process, not this worker: a frame that throws in a handler would end it, and H1 would see the platform gone.
    const run = startPlatformProcess(
      "examples/registry/lab.json",
      "--heartbeat",
      "1",
      "--api-token",
      "process-test-token",
    );
    const ready = await run.next();
    const target = externalPlatformTarget(`tcp://${String(ready.login)}`, LAB, {
      apiUrl: String(ready.http),
      apiToken: "process-test-token",
      evidence: testEvidence,
    });
    const results = await runClauses(target, hostileClauses({ flood: 300 }));
    expect(failures(results)).toEqual([]);
    expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    expect(run.child.exitCode).toBeNull();
  }, 30_000);

  it("with small limits (50 pending per address, 200 in all), a flood of 400 is refused and counted, and logins from another address and the API keep working", async () => {
    const target = await platformTarget(
      "emulated?max-pending-per-address=50&max-pending-connections=200&api-token=hostile-test-token",
      LAB,
      { evidence: testEvidence },
    );
    try {
      const checks = hostileClauses({ flood: 400 }).filter((c) => /^H3|^H4\.5/.test(c.clause));
      const results = await runClauses(target, checks);
      expect(failures(results)).toEqual([]);
      expect(statuses(results)).toEqual({ "H3.1": "pass", "H3.2": "pass", "H4.5": "pass" });
      const metrics = await apiRequest(`${target.apiUrl}/metrics`, { token: "hostile-test-token" });
      expect(metrics.status).toBe(200);
      expect(
        counter(metrics.text, "hilfarm_platform_connections_refused_total", 'reason="pending_per_address"'),
      ).toBeGreaterThan(0);
    } finally {
      await target.close();
    }
  });

  it("reports the API clauses not applicable, with the reason, when the target has no API URL", async () => {
    const target = externalPlatformTarget("tcp://127.0.0.1:9", LAB);
    const results = await runClauses(
      target,
      hostileClauses({ flood: 0 }).filter((c) => c.clause === "H3.2" || c.clause.startsWith("H4")),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(["not-applicable"]));
    expect(results[0]?.detail).toMatch(/has no API URL to check \(give --api http:\/\/host:port/);
  });
});

describe("the hostile-input suite against hilfarm's C11-C18 server (c-notify, mutual TLS)", () => {
  it("passes H5.1-H5.7: nothing stops it, an unfinished body is ended, and a legitimate client's token keeps working", async () => {
    const target = await emulatedSmartHomeTarget({ seed: 5 });
    try {
      const results = await runClauses(target, cNotifyClauses());
      console.log(results.map((r) => `${r.clause} ${r.status} ${Math.round(r.wallMs)} ms`).join("; "));
      expect(failures(results)).toEqual([]);
      expect(statuses(results)).toEqual({
        "H5.1": "pass",
        "H5.2": "pass",
        "H5.3": "pass",
        "H5.4": "pass",
        "H5.5": "pass",
        "H5.6": "pass",
        "H5.7": "pass",
      });
    } finally {
      await target.close();
    }
  }, 60_000);
});

describe("the hostile-input suite against hilfarm's emulated third party (C21-C31, mutual TLS)", () => {
  it("passes H6.1-H6.4: nothing stops it, and a legitimate client's C21 token keeps working", async () => {
    const target = await emulatedThirdPartyTarget({ seed: 6 });
    try {
      const results = await runClauses(target, cThirdPartyClauses);
      console.log(results.map((r) => `${r.clause} ${r.status} ${Math.round(r.wallMs)} ms`).join("; "));
      expect(failures(results)).toEqual([]);
      expect(statuses(results)).toEqual({ "H6.1": "pass", "H6.2": "pass", "H6.3": "pass", "H6.4": "pass" });
    } finally {
      await target.close();
    }
  }, 60_000);
});

describe("the hostile-input suite against hilfarm's smart-lock open API", () => {
  it("passes H7.1-H7.6: every hostile request is refused with the envelope, none with 500, and the legitimate token keeps working", async () => {
    const target = await emulatedLockApiTarget({ seed: 7 });
    try {
      const results = await runClauses(target, lockApiHostileClauses());
      console.log(results.map((r) => `${r.clause} ${r.status} ${Math.round(r.wallMs)} ms`).join("; "));
      expect(failures(results)).toEqual([]);
      expect(statuses(results)).toEqual({
        "H7.1": "pass",
        "H7.2": "pass",
        "H7.3": "pass",
        "H7.4": "pass",
        "H7.5": "pass",
        "H7.6": "pass",
      });
    } finally {
      await target.close();
    }
  }, 60_000);
});

describe("the hostile-input suite against hilfarm's Aqara-style open API", () => {
  it("passes H9.1-H9.6: every hostile request is refused with the envelope, none with 500, and the legitimate app's token keeps working", async () => {
    const target = await emulatedAqaraApiTarget({ seed: 9 });
    try {
      const results = await runClauses(target, aqaraApiHostileClauses());
      console.log(results.map((r) => `${r.clause} ${r.status} ${Math.round(r.wallMs)} ms`).join("; "));
      expect(failures(results)).toEqual([]);
      expect(statuses(results)).toEqual({
        "H9.1": "pass",
        "H9.2": "pass",
        "H9.3": "pass",
        "H9.4": "pass",
        "H9.5": "pass",
        "H9.6": "pass",
      });
    } finally {
      await target.close();
    }
  }, 60_000);
});
