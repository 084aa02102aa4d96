import { describe, expect, it } from "vitest";
import { runCli } from "./testing/cli-run.ts";

const clauses = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.event === "clause");

describe("hilfarm conformance c-smart-home|c-third-party", () => {
  it("c-smart-home --url emulated passes every clause, one JSON line each, then the summary", async () => {
    const run = await runCli(["conformance", "c-smart-home", "--url", "emulated"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = clauses(run.lines);
    expect(lines.length).toBeGreaterThan(25);
    for (const line of lines)
      expect(line).toMatchObject({ status: "pass", clause: expect.stringMatching(/^7\.(1\.4|3\.1\.\d)$/) });
    expect(lines.map((l) => l.clause)).toContain("7.3.1.9");
    expect(run.lines.at(-1)).toEqual({
      event: "summary",
      target: expect.stringMatching(
        /^hilfarm's smart-home platform \(C11-C18\) at https:\/\/127\.0\.0\.1:\d+/,
      ),
      passed: lines.length,
      failed: 0,
      notApplicable: 0,
    });
  }, 60_000);

  it("c-third-party --url emulated passes every clause, reports included, and --only narrows the run", async () => {
    const run = await runCli(["conformance", "c-third-party", "--url", "emulated"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = clauses(run.lines);
    expect(lines.every((l) => l.status === "pass")).toBe(true);
    expect(lines.map((l) => l.title)).toContain(
      "after a C28 control the third party reports the device's new status (C16)",
    );
    expect(run.lines.at(-1)).toMatchObject({ event: "summary", passed: lines.length, failed: 0 });

    const only = await runCli(["conformance", "c-third-party", "--url", "emulated", "--only", "7.3.2.1"]);
    expect(only.code).toBe(0);
    // 7.3.2.1 alone: not 7.3.2.10-7.3.2.12.
    expect(clauses(only.lines).map((l) => l.clause)).toEqual(Array(6).fill("7.3.2.1"));
  }, 60_000);

  it("names the missing option for a platform under test (exit code 2)", async () => {
    const run = await runCli(["conformance", "c-smart-home", "--url", "https://127.0.0.1:9"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--tls-cert is required/);
  });
});
