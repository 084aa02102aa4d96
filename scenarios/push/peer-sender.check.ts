import { afterEach, describe, expect, it } from "vitest";
import { killAll, startHilfarm, startNode } from "../../harness/testing/child-process.ts";

/**
 * A sender written from the seed alone (examples/clients/push-sender.mjs) against `hilfarm push receive`, both as
 * processes on real time: a signed push gets the documented answer, a bad signature and a reused nonce a refusal.
 */

const SECRET = "peer-sender-secret";
afterEach(killAll);

async function answersOf(url: string, ...flags: string[]) {
  const sender = startNode(
    ["examples/clients/push-sender.mjs", "--url", url, "--app-key", "peer-key", ...flags],
    {
      HILFARM_PUSH_APP_SECRET: SECRET,
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  for (;;) {
    const line = await sender.next().catch(() => undefined);
    if (line === undefined) break;
    lines.push(line);
  }
  expect(await sender.exited, sender.stderr.join("")).toBe(0);
  return lines;
}

describe("examples/clients/push-sender.mjs against hilfarm push receive", () => {
  it("gets the documented answer, and refusals for a bad signature and a reused nonce", async () => {
    const receiver = startHilfarm(["push", "receive", "--port", "0", "--app-key", "peer-key"], {
      HILFARM_PUSH_APP_SECRET: SECRET,
    });
    const ready = await receiver.until("ready");
    const url = String(ready.url);
    expect(await answersOf(url, "--repeat-nonce")).toEqual([
      { event: "answer", status: 200, code: 0, message: "Success", normal: true },
      expect.objectContaining({ event: "answer", status: 200, code: 904, normal: false }),
    ]);
    expect(await answersOf(url, "--bad-sign")).toEqual([
      expect.objectContaining({ event: "answer", status: 200, code: 902, normal: false }),
    ]);
    const records = [
      await receiver.until("push"),
      await receiver.until("push"),
      await receiver.until("push"),
    ];
    expect(records.map((r) => r.verdict)).toEqual(["accepted", "refused", "refused"]);
  });
});
