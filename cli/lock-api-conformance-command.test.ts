import { describe, expect, it } from "vitest";
import { lockApiClauses, lockApiClausesOf } from "../scenarios/conformance/lock-api-clauses.ts";
import { runCli } from "./testing/cli-run.ts";

/** A lock API where nothing answers (port 9), with a client and a 32-character secret. */
const remote = [
  ...["conformance", "lock-api", "--url", "http://127.0.0.1:9", "--client-id", "lab"],
  ...["--secret", "0123456789abcdef0123456789abcdef", "--answer-ms", "2000"],
];
const clauses = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.event === "clause");

describe("hilfarm conformance lock-api", () => {
  it("--url emulated prints one JSON line per clause, in order, then a summary that counts them", async () => {
    const run = await runCli(["conformance", "lock-api", "--url", "emulated"]);
    expect(run.stderr).toBe("");
    const lines = clauses(run.lines);
    expect(lines.map((l) => l.clause)).toEqual(lockApiClauses.map((c) => c.clause));
    const count = (status: string) => lines.filter((l) => l.status === status).length;
    expect(run.lines.at(-1)).toEqual({
      event: "summary",
      target: expect.stringMatching(
        /^hilfarm's emulated lock API at http:\/\/127\.0\.0\.1:\d+, virtual time$/,
      ),
      passed: count("pass"),
      failed: count("fail"),
      notApplicable: count("not-applicable"),
    });
    expect(run.code).toBe(count("fail") > 0 ? 1 : 0);
  }, 60_000);

  it("--only L3 runs the delivery group alone, every clause passing (exit code 0)", async () => {
    const run = await runCli(["conformance", "lock-api", "--url", "emulated", "--only", "L3"]);
    expect(run.code).toBe(0);
    const lines = clauses(run.lines);
    expect(lines.map((l) => l.clause)).toEqual(["L3.1", "L3.2", "L3.3", "L3.4"]);
    expect(lines.every((l) => l.status === "pass")).toBe(true);
    // L2 alone is L2.1-L2.11; L2.1 alone is not L2.10 or L2.11; L7 spans its three files.
    expect(lockApiClausesOf("L7").map((c) => c.clause)).toHaveLength(15);
    expect(lockApiClausesOf("L2").map((c) => c.clause)).toHaveLength(11);
    expect(lockApiClausesOf("L2.1").map((c) => c.clause)).toEqual(["L2.1"]);
  }, 60_000);

  it("names what a lock API under test is missing (exit code 2)", async () => {
    const noClient = await runCli(["conformance", "lock-api", "--url", "http://127.0.0.1:9"]);
    expect(noClient.code).toBe(2);
    expect(noClient.stderr).toMatch(/--client-id is required/);
    const shortSecret = await runCli([
      ...["conformance", "lock-api", "--url", "http://127.0.0.1:9", "--client-id", "c", "--secret", "short"],
    ]);
    expect(shortSecret.code).toBe(2);
    expect(shortSecret.stderr).toMatch(/--secret: expected 32 characters/);
    expect(shortSecret.stderr).not.toMatch(/short/);
    const badUrl = await runCli(["conformance", "lock-api", "--url", "ftp://x", "--client-id", "c"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--url must be http\(s\):\/\/host:port or `emulated`, got "ftp:\/\/x"/);
    const only = await runCli(["conformance", "lock-api", "--url", "emulated", "--only", "L10"]);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/--only "L10" names no clause/);
    const emptyLock = await runCli([...remote, "--hotel-lock", ""]);
    expect(emptyLock.code).toBe(2);
    expect(emptyLock.stderr).toMatch(/--hotel-lock must not be empty/);
  });

  it.each([
    ["--wifi-lock", "L6.1", "Wi-Fi lock"],
    ["--zigbee-lock", "L6.2", "Zigbee lock"],
    ["--keepalive-lock", "L6.4", "Keepalive Wi-Fi lock"],
    ["--video-lock", "L8.8", "Wi-Fi lock with video talk"],
    ["--access-control", "L7.3", "Wi-Fi access control device"],
    ["--hotel-lock", "L9.2", "Zigbee lock for hotel use"],
  ])(
    "%s names the lock %s needs: without it the clause is not applicable, naming the option",
    async (flag, clause, label) => {
      const without = clauses((await runCli([...remote, "--only", clause])).lines);
      expect(without).toEqual([
        expect.objectContaining({
          clause,
          status: "not-applicable",
          detail: `the target names no ${label} (${flag})`,
        }),
      ]);
      // With it the clause runs: nothing answers at port 9, so it fails on its first request.
      const withLock = await runCli([...remote, "--only", clause, flag, "hilfarmlabdevice0001"]);
      expect(clauses(withLock.lines)).toEqual([
        expect.objectContaining({
          clause,
          status: "fail",
          detail: expect.stringMatching(/^expected an answer to /),
        }),
      ]);
      expect(withLock.code).toBe(1);
    },
  );
});
