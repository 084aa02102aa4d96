import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import type { Platform } from "../platform.ts";
import { startTestPlatform } from "../testing/fixtures.ts";
import { unfinishedBody } from "../testing/unfinished-body.ts";
import { AQARA_INTENTS } from "./intents.ts";
import { aqaraClient } from "./testing/aqara-client.ts";

/**
 * The open API under hostile input: garbage bodies, deep JSON, forged headers, huge headers, bodies that never end.
 * Every answer is HTTP 200 with an envelope or a clean refusal by the HTTP layer; nothing stops the surface, and a
 * legitimate app's token keeps working.
 */

const APP = { appId: "hostile-app", keyId: "k", appKey: "feedfacefeedfacefeedfacefeedface" };
const clock = new VirtualClock();
let platform: Platform;
let api = "";
let client: ReturnType<typeof aqaraClient>;

beforeAll(async () => {
  platform = await startTestPlatform(clock, { aqara: { apps: [APP] } });
  api = platform.addresses.surfaces.aqara?.api ?? "";
  client = aqaraClient(api, APP, clock);
});
afterAll(async () => {
  await platform.close();
});

/** One raw request on its own connection: status and body text. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(api);
  const options = {
    agent: false,
    hostname,
    port,
    path: path.startsWith("/") ? path : `/${path}`,
    method,
    headers: { ...headers, "content-length": String(body.length) },
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const hostileBodies = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 1, max: 5000 }).map((n) => Buffer.from(`${"[".repeat(n)}${"]".repeat(n)}`)),
  fc
    .integer({ min: 30, max: 3000 })
    .map((n) => Buffer.from(`{"intent":"x","data":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`)),
  fc
    .constantFrom(
      '{"__proto__":{"polluted":1}}',
      `{"intent":"${AQARA_INTENTS.tokenExpired}","data":{"token":{"toString":1}}}`,
      `{"intent":"${AQARA_INTENTS.sdkInit}","data":null}`,
      '{"intent":["x"]}',
      "\ud800",
      "",
      "null",
      `{"intent":"${"x".repeat(60_000)}"}`,
    )
    .map((s) => Buffer.from(s)),
);

describe("the open API under hostile input", () => {
  it("answers every hostile request with HTTP 200 and an envelope, and a legitimate token keeps working", async () => {
    const init = await client.call(AQARA_INTENTS.sdkInit);
    const token = String(init.result?.token);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "GET", "PUT", "DELETE"),
        fc.constantFrom(
          "/v3.0/open/api",
          "/v3.0/open/api?x=%ZZ",
          "/v3.0/open/api/../api",
          "//v3.0/open/api",
          "/%00",
          "/__proto__",
          `/${"a".repeat(4000)}`,
        ),
        fc.record(
          {
            appid: fc.constantFrom(APP.appId, "", "x".repeat(300), "__proto__"),
            keyid: fc.constantFrom(APP.keyId, "", "constructor"),
            nonce: fc.string({ maxLength: 300 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
            time: fc.oneof(
              fc.constant(String(clock.now())),
              fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
            ),
            sign: fc.stringMatching(/^[0-9A-Fa-f]{0,64}$/),
            accesstoken: fc.constantFrom(token, "", "forged"),
          },
          { requiredKeys: [] },
        ),
        hostileBodies,
        // Signed right half the time, so that the body is read too.
        fc.boolean(),
        async (method, path, forged, body, signedRight) => {
          const headers = signedRight ? client.headers({ accessToken: token }) : forged;
          const answer = await raw(method, path, headers, body);
          expect(answer.status).toBe(200);
          const envelope = JSON.parse(answer.text) as {
            code?: unknown;
            requestId?: unknown;
            message?: unknown;
          };
          expect(typeof envelope.code).toBe("number");
          expect(envelope.code).not.toBe(0);
          expect(typeof envelope.requestId).toBe("string");
          expect(answer.text).not.toContain(token);
          expect(answer.text).not.toContain(APP.appKey);
        },
      ),
      { numRuns: 120 },
    );
    expect((await client.call(AQARA_INTENTS.deviceInfo, {}, { accessToken: token })).code).toBe(0);
  });

  it("refuses a body over 64 KiB (303 naming body), huge headers at the HTTP layer, and keeps serving", async () => {
    const big = await raw("POST", "/v3.0/open/api", client.headers(), Buffer.alloc(100 * 1024, 0x20));
    expect(JSON.parse(big.text)).toMatchObject({
      code: 303,
      msgDetails: expect.stringMatching(/body over 65536 bytes/),
    });
    const huge = await raw(
      "POST",
      "/v3.0/open/api",
      { ...client.headers(), "x-filler": "y".repeat(64 * 1024) },
      Buffer.from("{}"),
    );
    expect(huge.status).toBe(431);
    expect((await client.call(AQARA_INTENTS.sdkInit)).code).toBe(0);
  });

  it("ends a body that never arrives on the platform's clock", async () => {
    const closed = unfinishedBody(api);
    await clock.advanceAsync(30_000);
    expect(await closed).toMatch(/closed|not received in time/);
  });
});
