import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AQARA_INTENTS } from "../../emulators/platform/aqara/intents.ts";
import { aqaraApiTarget } from "../conformance/aqara-api-target.ts";
import { runClauses } from "../conformance/clause.ts";
import { aqaraApiHostileClauses } from "./aqara-api-clauses.ts";

/**
 * The H9 clauses can fail: against an open API that grants UI-SDK tokens but answers everything else with code 500
 * and never ends an unfinished body, each clause fails, naming what it saw. (hilfarm's own surface passes them all:
 * the hostile-input suite in hostile.test.ts.)
 */

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function brokenOpenApi(): Promise<string> {
  const broken = createServer({ requestTimeout: 0 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let intent: unknown;
      try {
        intent = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { intent?: unknown }).intent;
      } catch {
        intent = undefined;
      }
      const envelope =
        intent === AQARA_INTENTS.sdkInit
          ? {
              code: 0,
              requestId: "",
              message: "Success",
              msgDetails: null,
              result: { token: "t".repeat(32) },
            }
          : { code: 500, requestId: "", message: "System error", msgDetails: null };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(envelope));
    });
  });
  server = broken;
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(broken.address() as AddressInfo).port}/v3.0/open/api`;
}

describe("the H9 clauses against a broken open API", () => {
  it("fail, each naming the answers it saw", async () => {
    const url = await brokenOpenApi();
    const target = aqaraApiTarget({
      url,
      appId: "broken",
      keyId: "k",
      appKey: "b".repeat(32),
      answerMs: 2000,
    });
    const results = await runClauses(target, aqaraApiHostileClauses({ burst: 20, slowBodyMs: 200 }));
    expect(Object.fromEntries(results.map((r) => [r.clause, r.status]))).toEqual({
      "H9.1": "fail",
      "H9.2": "fail",
      "H9.3": "fail",
      "H9.4": "fail",
      "H9.5": "fail",
      "H9.6": "fail",
    });
    const detail = (clause: string) => results.find((r) => r.clause === clause)?.detail ?? "";
    expect(detail("H9.1")).toMatch(/refusal envelope \(never code 500\).*; saw HTTP 200 code 500: \d+/);
    expect(detail("H9.2")).toMatch(/a wrong Sign: HTTP 200 code 500 \(expected 902\)/);
    expect(detail("H9.3")).toMatch(/HTTP 200 code 500: \d+/);
    expect(detail("H9.4")).toMatch(/the big body: HTTP 200 code 500; the unfinished body: it still open/);
    expect(detail("H9.5")).toMatch(/20 wrongly signed requests at once; saw HTTP 200 code 500: 20/);
    expect(detail("H9.6")).toMatch(/HTTP 200 code 500: 15/);
    for (const r of results) expect(r.detail).not.toContain("b".repeat(32));
  });
});
