import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PUSH_SUCCESS_ANSWER } from "../../harness/protocol/aqara/index.ts";
import { type PushFuzzTarget, pushFuzzHeld, runPushFuzz } from "./testing/push-fuzz.ts";
import { FUZZ_PUSH_SIGNING, startInProcessPushTarget } from "./testing/push-fuzz-targets.ts";

/**
 * Short live fuzz of hilfarm's push receiver: hostile requests over real sockets while a legitimate sender keeps
 * pushing. The long run against `hilfarm push receive` as a process is `npm run fuzz`.
 */

const FRAMES = Number(process.env.HILFARM_FUZZ_PUSH_FRAMES ?? 1000);

describe("the push receiver under a live fuzz", () => {
  it(`stays up, takes no hostile request for a push and answers every legitimate push through ${FRAMES} requests`, async () => {
    const seed = fc.readConfigureGlobal().seed ?? 0;
    const target = await startInProcessPushTarget();
    try {
      const report = await runPushFuzz({ target, frames: FRAMES, seed, deadlineMs: 15_000, checkEvery: 100 });
      console.log(
        `push fuzz: ${report.sent} requests in ${report.wallMs} ms; by signing ${JSON.stringify(report.bySigning)}; ` +
          `by status ${JSON.stringify(report.byStatus)}; by code ${JSON.stringify(report.byCode)}; ` +
          `accepted ${report.accepted}; no answer ${report.noAnswer}; not sent ${report.notSent}; ` +
          `records ${report.recordBytes} bytes`,
      );
      expect({ crash: report.crash, failures: report.failures, lost: report.legit.lost }).toEqual({
        crash: undefined,
        failures: [],
        lost: [],
      });
      expect(pushFuzzHeld(report)).toBe(true);
      expect(report.sent).toBeGreaterThan(FRAMES / 4);
      expect(report.legit.sent).toBeGreaterThan(2);
      // Truly signed pushes reached the body checks and some passed them; refusals came in the envelope.
      expect(report.accepted).toBeGreaterThan(0);
      expect(Object.keys(report.byCode).filter((c) => c !== "0").length).toBeGreaterThan(2);
    } finally {
      await target.close();
    }
  }, 30_000);

  it("fails, naming the request, on a receiver that answers every request with the success", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(PUSH_SUCCESS_ANSWER));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const target: PushFuzzTarget = {
      kind: "in-process",
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      signing: FUZZ_PUSH_SIGNING,
      crashed: () => undefined,
      rssBytes: () => undefined,
      recordBytes: () => undefined,
      close: async () => undefined,
    };
    try {
      const report = await runPushFuzz({ target, frames: 100, seed: 1, deadlineMs: 10_000 });
      expect(pushFuzzHeld(report)).toBe(false);
      expect(report.failures.join("\n")).toMatch(
        /^(none|garbage|forged|stale|replayed|reused) .*taken for a push/m,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
