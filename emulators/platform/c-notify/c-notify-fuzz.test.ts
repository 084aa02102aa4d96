import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { cInterfaces } from "../../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../../harness/protocol/c/result-codes.ts";
import { tlsRequest } from "../../../harness/tls/mutual-tls.ts";
import { type NotifyRig, SEQ, startNotifyRig } from "./testing/notify-rig.ts";

/**
 * Hostile input on the C11-C18 server: any body, on any of its paths, with or without a valid token, gets an answer
 * with a documented code (or an HTTP refusal), never a crash and never the token back; the server keeps serving.
 */

let dir: string;
let rig: NotifyRig;
let token: string;
const paths = Object.values(cInterfaces)
  .filter((i) => i.side === "smart-home")
  .map((i) => i.path);
const codes = new Set<number>(Object.values(cResultCodes));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-c-fuzz-"));
  rig = await startNotifyRig(dir, new VirtualClock());
  token = await rig.token();
  // One device the fuzz must not move: announced online with a good token.
  const announced = await rig.post("/notify/device/online", {
    access_token: token,
    sequenceNo: SEQ,
    deviceSN: "TP-KEEP",
    deviceType: "T",
    online: "1",
  });
  expect(announced.json.code).toBe(0);
});
afterAll(async () => {
  await rig.platform.close();
  await rm(dir, { recursive: true, force: true });
});

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("{", "[]", "null", '{"access_token":', "\u0000", '{"sequenceNo":"x"}'),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((v) => JSON.stringify({ sequenceNo: SEQ, deviceSN: "TP-KEEP", online: "0", extra: v })),
);

describe("the C11-C18 server under hostile bodies", () => {
  it("answers every body on every path with a documented code or an HTTP refusal, and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), jsonish, fc.boolean(), async (path, body, withToken) => {
        // Half the objects carry the valid token, so bodies reach the schema checks and the state store.
        const text =
          withToken && body.startsWith("{") && body.length > 1
            ? `{"access_token":"${token}",${body.slice(1)}`
            : body;
        const res = await tlsRequest(
          `${rig.https}${path}`,
          { method: "POST", headers: { "content-type": "application/json" }, body: text },
          rig.client,
        );
        if (res.status !== 200) {
          expect([400, 404, 405, 413]).toContain(res.status);
          return;
        }
        const answer = JSON.parse(res.body) as { code: unknown; desc?: unknown };
        expect(codes).toContain(answer.code);
        expect(String(answer.desc ?? "")).not.toContain(token);
      }),
      { numRuns: 150 },
    );
    // Still serving: the API lists the announced device, and C11 still answers.
    const devices = (await rig.api("/api/devices")) as Array<{ deviceId: string }>;
    expect(devices.some((d) => d.deviceId === "TP-KEEP")).toBe(true);
    expect(
      (await rig.post("/notify/token", { platformId: "x", platformKey: "y", sequenceNo: SEQ })).json.code,
    ).toBe(1002);
  }, 120_000);
});
