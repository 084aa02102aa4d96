import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { type LockWorld, startLockWorld } from "./testing/lock-world.ts";

/**
 * The vendor's Node SDK, unchanged, reaches every endpoint of the catalogue: each call is signed as the SDK signs it
 * (a `{}` body on every method, the query sorted), routed to its endpoint and answered by its handler about a lock
 * the endpoint applies to. Minimal requests are refused by the endpoint's own checks (1100, 1109, 1000...), never by
 * the gate (signature, token, path) and never with a server error. Each endpoint's own behaviour is tested in the
 * file docs/lock-api.md names beside it.
 */

const CLIENT = { clientId: "hilfarmlockclient011", secret: "5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d" };
/** The gate's codes: a call that meets one of them never reached its endpoint. */
const GATE = new Set([500, 1004, 1005, 1010, 1011, 1012, 1013, 1105, 1108, 2003, 2004, 2010]);

let world: LockWorld;
beforeAll(async () => {
  world = await startLockWorld(CLIENT);
});
afterAll(async () => {
  await world.w.close();
});

describe("the vendor's SDK against every endpoint", () => {
  it("reaches each of the 63 endpoints' own handler", async () => {
    const entries = Object.values(lockEndpoints);
    expect(entries).toHaveLength(63);
    const reached: Record<string, string> = {};
    for (const endpoint of entries) {
      const type = endpoint.lockTypes.find((t) => t in world.ids) as keyof LockWorld["ids"] | undefined;
      const deviceId = type === undefined ? "" : world.ids[type];
      const uid = `${world.wifiId}-u1`;
      const path = endpoint.path
        .replace("{device_id}", deviceId)
        .replace("{uid}", uid)
        .replace(/\{[a-z_]+\}/g, "1");
      const answer = await world.call<unknown>({
        method: endpoint.method,
        path,
        ...(endpoint.method === "GET" || endpoint.method === "DELETE" ? {} : { body: {} }),
      });
      reached[endpoint.id] = answer.success ? "success" : String(answer.code);
      expect(typeof answer.success, endpoint.id).toBe("boolean");
      if (!answer.success)
        expect(GATE.has(answer.code ?? 0), `${endpoint.id}: ${answer.code} ${answer.msg}`).toBe(false);
    }
    console.log(`each endpoint's answer to a minimal SDK call: ${JSON.stringify(reached)}`);
  });
});
