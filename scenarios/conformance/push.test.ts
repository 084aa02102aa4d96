import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { type ClauseResult, runClauses } from "./clause.ts";
import { pushReceiverClauses } from "./push-receiver-clauses.ts";
import { type EmulatedPushReceiverOptions, emulatedPushReceiverTarget } from "./push-receiver-target.ts";
import { pushSenderClauses } from "./push-sender-clauses.ts";
import { type EmulatedPushSenderOptions, emulatedPushSenderTarget } from "./push-sender-target.ts";

const time = reportSimulatedTime("conformance: message push (P1 receiver, P2 sender)");
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const line = (r: ClauseResult) => `${r.status} ${r.clause} ${r.title}${r.detail ? `: ${r.detail}` : ""}`;
const failed = (results: ClauseResult[]) => results.filter((r) => r.status === "fail").map((r) => r.clause);

async function receiverRun(options: EmulatedPushReceiverOptions = {}) {
  const target = await emulatedPushReceiverTarget(options);
  open.push(target);
  if (target.clock instanceof VirtualClock) time.track(target.clock);
  return runClauses(target, pushReceiverClauses);
}

async function senderRun(options: EmulatedPushSenderOptions = {}) {
  const target = await emulatedPushSenderTarget(options);
  open.push(target);
  if (target.clock instanceof VirtualClock) time.track(target.clock);
  return runClauses(target, pushSenderClauses);
}

describe("the P1 suite for a push receiver under test", () => {
  it("passes every clause against hilfarm's receiver, signing on", async () => {
    const results = await receiverRun();
    expect(results.filter((r) => r.status !== "pass").map(line)).toEqual([]);
    expect(results.map((r) => r.clause)).toEqual([
      "P1.1",
      "P1.2",
      "P1.3",
      "P1.4",
      "P1.5",
      "P1.6",
      "P1.7",
      "P1.8",
    ]);
  });

  it("with signing off, the signing clauses are not applicable, naming the missing key", async () => {
    const results = await receiverRun({ signing: false });
    const na = results.filter((r) => r.status === "not-applicable");
    expect(na.map((r) => r.clause)).toEqual(["P1.2", "P1.3", "P1.4", "P1.5"]);
    expect(na.every((r) => /no --app-key and HILFARM_PUSH_APP_SECRET/.test(r.detail))).toBe(true);
    expect(failed(results)).toEqual([]);
  });

  it("fails the format clauses by name when the receiver answers abnormally", async () => {
    const results = await receiverRun({ misbehaviour: { abnormal: true } });
    expect(failed(results)).toEqual(["P1.1", "P1.4", "P1.6", "P1.7", "P1.8"]);
    expect(results.find((r) => r.clause === "P1.1")?.detail).toMatch(
      /expected a valid push answered in the format .*; saw a body that is not JSON: HTTP 200 "success"/,
    );
  });
});

describe("the P2 suite for a push sender under test", () => {
  it("passes every clause against hilfarm's platform pushing", async () => {
    const results = await senderRun();
    expect(results.filter((r) => r.status !== "pass").map(line)).toEqual([]);
    expect(results.map((r) => r.clause)).toEqual(["P2.1", "P2.2", "P2.3", "P2.4", "P2.5", "P2.6"]);
  });

  it("fails P2.5 when the sender keeps pushing past 5 abnormal answers", async () => {
    const results = await senderRun({ sender: { abnormalLimit: 50 } });
    expect(failed(results)).toEqual(["P2.5"]);
    expect(results.find((r) => r.clause === "P2.5")?.detail).toMatch(
      /no push after 5 abnormal answers.*; saw 3 more/,
    );
  });

  it("fails P2.2 when the sender signs with another secret, and P2.3 with other client ids", async () => {
    const wrongSecret = await senderRun({ sender: { appSecret: "another-secret-0123456789abcdef0" } });
    expect(failed(wrongSecret)).toEqual(["P2.2"]);
    const otherIds = await senderRun({ sender: { clientIds: ["someone-else"] } });
    expect(failed(otherIds)).toEqual(["P2.3"]);
  });
});
