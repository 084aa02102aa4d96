import { describe, expect, it } from "vitest";
import { pushReceiverClauses } from "../scenarios/conformance/push-receiver-clauses.ts";
import { pushSenderClauses } from "../scenarios/conformance/push-sender-clauses.ts";
import { runCli } from "./testing/cli-run.ts";

const clauses = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.event === "clause");

describe("hilfarm conformance push-receiver and push-sender", () => {
  it("push-receiver --url emulated: one JSON line per clause, all passing, then the summary (exit code 0)", async () => {
    const run = await runCli(["conformance", "push-receiver", "--url", "emulated"]);
    expect(run.stderr).toBe("");
    expect(clauses(run.lines).map((l) => [l.clause, l.status])).toEqual(
      pushReceiverClauses.map((c) => [c.clause, "pass"]),
    );
    expect(run.lines.at(-1)).toEqual({
      event: "summary",
      target: expect.stringMatching(/^hilfarm's push receiver at http:\/\/127\.0\.0\.1:\d+\/, virtual time$/),
      passed: pushReceiverClauses.length,
      failed: 0,
      notApplicable: 0,
    });
    expect(run.code).toBe(0);
  });

  it("push-sender --url emulated runs P2.1-P2.6, all passing; --only picks one", async () => {
    const run = await runCli(["conformance", "push-sender", "--url", "emulated"]);
    expect(clauses(run.lines).map((l) => [l.clause, l.status])).toEqual(
      pushSenderClauses.map((c) => [c.clause, "pass"]),
    );
    expect(run.code).toBe(0);
    const one = await runCli(["conformance", "push-sender", "--url", "emulated", "--only", "P2.5"]);
    expect(clauses(one.lines).map((l) => l.clause)).toEqual(["P2.5"]);
  });

  it("a receiver where nothing answers fails its clauses (exit code 1); unsigned, the signing ones do not apply", async () => {
    const run = await runCli([
      "conformance",
      "push-receiver",
      "--url",
      "http://127.0.0.1:9/push",
      "--answer-ms",
      "2000",
    ]);
    const byStatus = (status: string) =>
      clauses(run.lines)
        .filter((l) => l.status === status)
        .map((l) => l.clause);
    expect(byStatus("not-applicable")).toEqual(["P1.2", "P1.3", "P1.4", "P1.5"]);
    expect(byStatus("fail")).toEqual(["P1.1", "P1.6", "P1.7", "P1.8"]);
    expect(run.code).toBe(1);
  });

  it("names a bad URL, a key without its secret, an unknown clause and a sender it cannot trigger (exit code 2)", async () => {
    const badUrl = await runCli(["conformance", "push-receiver", "--url", "ftp://x"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(
      /--url must be http\(s\):\/\/host:port\/path or `emulated`, got "ftp:\/\/x"/,
    );
    const keyOnly = await runCli([
      "conformance",
      "push-receiver",
      "--url",
      "http://127.0.0.1:9/",
      "--app-key",
      "k",
    ]);
    expect(keyOnly.code).toBe(2);
    expect(keyOnly.stderr).toMatch(/needs both --app-key and HILFARM_PUSH_APP_SECRET/);
    const only = await runCli(["conformance", "push-receiver", "--url", "emulated", "--only", "P3"]);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/--only "P3" names no clause/);
    const sender = await runCli(["conformance", "push-sender", "--url", "http://127.0.0.1:9/"]);
    expect(sender.code).toBe(2);
    expect(sender.stderr).toMatch(/--url must be `emulated`/);
  });
});
