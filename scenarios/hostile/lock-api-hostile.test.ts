import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runClauses } from "../conformance/clause.ts";
import { lockApiTarget } from "../conformance/lock-api-target.ts";
import { lockApiHostileClauses } from "./lock-api-clauses.ts";

/**
 * The H7 clauses can fail: against a lock API that grants tokens but answers every other call with code 500 and never
 * ends an unfinished body, each clause fails, naming what it saw. (hilfarm's own surface passes them all: the
 * hostile-input suite in hostile.test.ts.)
 */

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function brokenLockApi(): Promise<string> {
  const broken = createServer({ requestTimeout: 0 }, (req, res) => {
    req.resume();
    req.on("end", () => {
      const t = Date.now();
      const body = req.url?.startsWith("/v1.0/token")
        ? { success: true, t, result: { access_token: "a", refresh_token: "r", expire_time: 7200, uid: "u" } }
        : { success: false, t, code: 500, msg: "system error, please contact the admin" };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  server = broken;
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
}

describe("the H7 clauses against a broken lock API", () => {
  it("fail, each naming the answers it saw", async () => {
    const url = await brokenLockApi();
    const target = lockApiTarget({ url, clientId: "broken", secret: "b".repeat(32), answerMs: 2000 });
    const results = await runClauses(target, lockApiHostileClauses({ burst: 20, slowBodyMs: 200 }));
    expect(Object.fromEntries(results.map((r) => [r.clause, r.status]))).toEqual({
      "H7.1": "fail",
      "H7.2": "fail",
      "H7.3": "fail",
      "H7.4": "fail",
      "H7.5": "fail",
      "H7.6": "fail",
    });
    const detail = (clause: string) => results.find((r) => r.clause === clause)?.detail ?? "";
    expect(detail("H7.1")).toMatch(/never code 500.*HTTP 200 code 500: 9/);
    expect(detail("H7.4")).toMatch(/the connection ended by the server within 200 ms .*; saw it still open/);
  });
});
