import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { signRequest } from "../../../harness/protocol/lock-api/signing.ts";
import { lockBodies } from "../testing/live-fuzz-lock-requests.ts";
import { type LockWorld, startLockWorld } from "./testing/lock-world.ts";

/**
 * Hostile requests that are validly signed, with a valid token: they pass the surface's gate and reach every
 * endpoint's checks and handler, about a lock of every type. None may be answered 500 (a handler that threw), and
 * none may move another client's token.
 */

const CLIENT = { clientId: "hilfarmlockclient009", secret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0" };
const OTHER = { clientId: "hilfarmlockclient010", secret: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" };

let world: LockWorld;
beforeAll(async () => {
  world = await startLockWorld(CLIENT, { moreClients: [OTHER] });
});
afterAll(async () => {
  await world.w.close();
});

interface Envelope {
  success: boolean;
  code?: number;
  msg?: string;
  result?: Record<string, unknown>;
}

/** One request signed by `client`, the virtual clock running meanwhile. */
async function signed(
  client: typeof CLIENT,
  method: string,
  target: string,
  body: Buffer,
  accessToken?: string,
): Promise<{ status: number; envelope: Envelope }> {
  const sentBody = method === "GET" ? Buffer.alloc(0) : body;
  const headers = signRequest({
    ...client,
    method,
    target,
    body: sentBody,
    t: world.w.clock.now(),
    ...(accessToken === undefined ? {} : { accessToken }),
  });
  const answer = await world.w.clock.runUntilSettled(
    fetch(`${world.baseUrl}${target}`, {
      method,
      headers: { ...headers, "content-type": "application/json" },
      ...(method === "GET" ? {} : { body: new Uint8Array(sentBody) }),
    }).then(async (r) => ({ status: r.status, text: await r.text() })),
  );
  return { status: answer.status, envelope: JSON.parse(answer.text) as Envelope };
}

const tokenOf = async (client: typeof CLIENT) =>
  String(
    (await signed(client, "GET", "/v1.0/token?grant_type=1", Buffer.alloc(0))).envelope.result?.access_token,
  );

const body = lockBodies(3000, 4096);
const odd = fc.constantFrom(
  "1",
  "0",
  "-1",
  "1001",
  "__proto__",
  "constructor",
  "%00",
  "1e400",
  "unlock_card",
  "x".repeat(300),
);

describe("the lock API under validly signed hostile requests", () => {
  it("never answers 500 on any endpoint about any lock type, and another client's token keeps working", async () => {
    const token = await tokenOf(CLIENT);
    const otherToken = await tokenOf(OTHER);
    const deviceIds = Object.values(world.ids);
    const endpoints = Object.values(lockEndpoints);
    const seen = new Map<number | "success", number>();
    await fc.assert(
      fc.asyncProperty(
        // Mostly a lock the endpoint applies to, so that the request gets past the lock-type check.
        fc.constantFrom(...endpoints).chain((endpoint) => {
          const applicable = endpoint.lockTypes.flatMap((t) =>
            t in world.ids ? [world.ids[t as keyof typeof world.ids]] : [],
          );
          const device =
            applicable.length === 0
              ? fc.constantFrom(...deviceIds)
              : fc.oneof(
                  { weight: 5, arbitrary: fc.constantFrom(...applicable) },
                  fc.constantFrom(...deviceIds),
                );
          return fc.tuple(fc.constant(endpoint), device);
        }),
        odd,
        fc.dictionary(
          fc.constantFrom("page_no", "page_size", "valid", "codes", "start_time", "advanced_type"),
          odd,
          {
            maxKeys: 3,
          },
        ),
        body,
        async ([endpoint, deviceId], other, query, payload) => {
          const path = endpoint.path
            .replace("{device_id}", deviceId)
            .replace(/\{[a-z_]+\}/g, encodeURIComponent(other));
          const q = new URLSearchParams(query).toString();
          const target = q === "" ? path : `${path}?${q}`;
          const { status, envelope } = await signed(CLIENT, endpoint.method, target, payload, token);
          expect(status).toBe(200);
          expect(typeof envelope.success).toBe("boolean");
          expect(envelope.code, `${endpoint.method} ${target}: ${envelope.msg}`).not.toBe(500);
          const key = envelope.success ? "success" : (envelope.code ?? 0);
          seen.set(key, (seen.get(key) ?? 0) + 1);
        },
      ),
      { numRuns: 400 },
    );
    console.log(`validly signed hostile requests by code: ${JSON.stringify(Object.fromEntries(seen))}`);
    // The requests reached the endpoints' own checks, not only the gate.
    expect(seen.get(1109) ?? 0).toBeGreaterThan(0);
    const list = `/v1.0/devices/${world.wifiId}/door-lock/temp-passwords`;
    expect((await signed(OTHER, "GET", list, Buffer.alloc(0), otherToken)).envelope.success).toBe(true);
  });

  it("refuses a request target that is not a path with 1108, not 500", async () => {
    const token = await tokenOf(CLIENT);
    const { envelope } = await signed(CLIENT, "GET", "//v1.0//devices", Buffer.alloc(0), token);
    expect(envelope).toMatchObject({ success: false, code: 1108 });
  });
});
