import { describe, expect, it } from "vitest";
import { runClauses } from "../conformance/clause.ts";
import { emulatedPushReceiverTarget } from "../conformance/push-receiver-target.ts";
import { pushReceiverHostileClauses } from "./push-receiver-clauses.ts";

/**
 * H8 against hilfarm's push receiver (`hilfarm push receive`): it passes every clause; one that answers outside the
 * format (its `abnormal` switch) fails each clause by name, as its valid push afterwards is not answered in the format.
 */

const statuses = (results: Array<{ clause: string; status: string }>) =>
  Object.fromEntries(results.map((r) => [r.clause, r.status]));

describe("the hostile-input suite against hilfarm's push receiver (H8)", () => {
  it("passes H8.1-H8.5: nothing is taken for a push, an unfinished body is ended, and valid pushes keep being answered", async () => {
    const target = await emulatedPushReceiverTarget();
    try {
      const results = await runClauses(target, pushReceiverHostileClauses({ burst: 50 }));
      expect(results.filter((r) => r.status !== "pass").map((r) => `${r.clause}: ${r.detail}`)).toEqual([]);
      expect(Object.keys(statuses(results))).toEqual(["H8.1", "H8.2", "H8.3", "H8.4", "H8.5"]);
    } finally {
      await target.close();
    }
  });

  it("fails every clause, named, on a receiver that answers outside the format", async () => {
    const target = await emulatedPushReceiverTarget({ misbehaviour: { abnormal: true } });
    try {
      const results = await runClauses(target, pushReceiverHostileClauses({ burst: 10 }));
      expect(statuses(results)).toEqual({
        "H8.1": "fail",
        "H8.2": "fail",
        "H8.3": "fail",
        "H8.4": "fail",
        "H8.5": "fail",
      });
      expect(results[0]?.detail).toMatch(/a valid push answered in the format after the garbage/);
    } finally {
      await target.close();
    }
  });

  it("says H8.4 is not applicable to a receiver that does not sign", async () => {
    const target = await emulatedPushReceiverTarget({ signing: false });
    try {
      const results = await runClauses(
        target,
        pushReceiverHostileClauses({ burst: 10 }).filter((c) => c.clause === "H8.4"),
      );
      expect(results[0]).toMatchObject({
        status: "not-applicable",
        detail: expect.stringMatching(/signing off/),
      });
    } finally {
      await target.close();
    }
  });
});
