import { afterEach, describe, expect, it } from "vitest";
import { killAll, startPlatformProcess } from "../../harness/testing/child-process.ts";
import { runClauses } from "../conformance/clause.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { externalPlatformTarget } from "../target/target.ts";
import { hostileClauses } from "./hostile-clauses.ts";
import { apiRequest } from "./wire.ts";

/**
 * The flood finding (H3) at full size: 20,000 connections held on the login and connection ports of `hilfarm platform`
 * with its default limits (a process of its own, ulimit -n 20,000), from 127.0.0.1, by two child processes of
 * 10,000 each. Logins from 127.0.0.2 and the API must keep working, and /metrics must count the refusals.
 */
const LAB = [
  { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" },
  { deviceId: "0000111122223333aaaabbbc", pin: "QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv" },
];

afterEach(killAll);

describe("20,000 connections held against `hilfarm platform` with default limits", () => {
  it("leave a login and connect from another address, a connected device and the API working, and are counted as refused", async () => {
    const run = startPlatformProcess("examples/registry/lab.json", "--log-level", "error");
    const ready = await run.next();
    const target = externalPlatformTarget(`tcp://${String(ready.login)}`, LAB, {
      apiUrl: String(ready.http),
      evidence: testEvidence,
    });
    const checks = hostileClauses({ flood: 20_000 }).filter((c) => c.clause.startsWith("H3"));
    const results = await runClauses(target, checks);
    expect(results.map((r) => `${r.clause} ${r.status} ${r.detail}`)).toEqual(["H3.1 pass ", "H3.2 pass "]);
    const metrics = await apiRequest(`${String(ready.http)}/metrics`);
    const refused = metrics.text
      .split("\n")
      .filter((l) => l.startsWith("hilfarm_platform_connections_refused_total{"))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(refused).toBeGreaterThan(0);
    expect(run.child.exitCode).toBeNull();
  }, 60_000);
});
