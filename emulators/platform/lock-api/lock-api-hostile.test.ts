import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { signRequest } from "../../../harness/protocol/lock-api/signing.ts";
import type { Platform } from "../platform.ts";
import { startTestPlatform } from "../testing/fixtures.ts";
import { unfinishedBody } from "../testing/unfinished-body.ts";

/**
 * The lock API under hostile input: nothing from the wire stops it, grows it without bound or moves another
 * client's token; every answer is HTTP 200 with an envelope (the vendor's SDKs read anything else as a transport
 * failure); a body that never ends is ended on the platform's clock.
 */

const CLIENT_ID = "hilfarmlockclient003";
const SECRET = "ffeeddccbbaa99887766554433221100";
let platform: Platform;
let base: string;
const clock = new VirtualClock();

beforeAll(async () => {
  platform = await startTestPlatform(clock, {
    lockApi: { clients: [{ clientId: CLIENT_ID, secret: SECRET }] },
  });
  base = platform.addresses.surfaces["lock-api"]?.http ?? "";
});
afterAll(async () => {
  await platform.close();
});

/** One raw request: status and body text, or the error. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  const target = path.startsWith("/") ? path : `/${path}`;
  // A connection per request: a kept-alive socket the server closes while idle would read as a reset.
  const options = {
    agent: false,
    hostname,
    port,
    path: target,
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

/** A signed call of the legitimate client. */
async function signed(method: string, target: string, accessToken?: string) {
  const body = method === "GET" ? "{}" : "{}";
  const headers = signRequest({
    method,
    target,
    body,
    clientId: CLIENT_ID,
    secret: SECRET,
    t: clock.now(),
    ...(accessToken === undefined ? {} : { accessToken }),
  });
  const answer = await raw(
    method,
    target,
    { ...headers, "content-type": "application/json" },
    Buffer.from(body),
  );
  return JSON.parse(answer.text) as { success: boolean; result?: Record<string, unknown>; code?: number };
}

const hostileBodies = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 1, max: 5000 }).map((n) => Buffer.from(`${"[".repeat(n)}${"]".repeat(n)}`)),
  fc
    .constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"password":null,"ticket_id":[],"effective_time":"x"}',
      "\ud800",
      "",
      "null",
      `{"name":"${"x".repeat(100_000)}"}`,
    )
    .map((s) => Buffer.from(s)),
);

describe("the lock API under hostile input", () => {
  it("answers every hostile request with HTTP 200 and an envelope, and a legitimate client's token keeps working", async () => {
    const token = await signed("GET", "/v1.0/token?grant_type=1");
    expect(token.success).toBe(true);
    const accessToken = String(token.result?.access_token);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        fc.oneof(
          fc.constantFrom(
            "/v1.0/token?grant_type=1",
            "/v1.0/token/%ZZ",
            "/v1.0/devices/x/door-lock/temp-password",
            "/v1.0/devices/%00/door-lock/password-ticket",
            "/v1.0/devices/x/door-lock/temp-passwords/..%2F..%2Fetc/freeze-password",
            "/v2.0/devices/__proto__/door-lock/temp-password",
          ),
          fc.webPath(),
        ),
        fc.record(
          {
            client_id: fc.constantFrom(CLIENT_ID, "", "x".repeat(300)),
            t: fc.oneof(fc.constant(String(clock.now())), fc.string({ maxLength: 20 })),
            sign: fc.stringMatching(/^[0-9A-Fa-f]{0,64}$/),
            sign_method: fc.constantFrom("HMAC-SHA256", "MD5", ""),
            access_token: fc.constantFrom(accessToken, "", "forged"),
          },
          { requiredKeys: [] },
        ),
        hostileBodies,
        async (method, path, headers, body) => {
          const answer = await raw(method, path, headers, body);
          expect(answer.status).toBe(200);
          const envelope = JSON.parse(answer.text) as { success: boolean; code?: number; msg?: string };
          expect(envelope.success).toBe(false);
          expect(typeof envelope.code).toBe("number");
          expect(answer.text).not.toContain(accessToken);
        },
      ),
      { numRuns: 150 },
    );
    // The legitimate client's token was not moved by anything above.
    const again = await signed("POST", "/v1.0/devices/nope/door-lock/password-ticket", accessToken);
    expect(again).toMatchObject({ success: false, code: 2010 });
  });

  it("refuses a body over 1 MiB without reading it whole, and ends a body that never arrives", async () => {
    const big = await raw(
      "POST",
      "/v1.0/devices/x/door-lock/temp-password",
      {},
      Buffer.alloc(2 * 1024 * 1024, 0x20),
    );
    expect(JSON.parse(big.text)).toMatchObject({ success: false, msg: expect.stringMatching(/body over/) });
    const url = new URL("/v1.0/devices/x/door-lock/temp-password", base);
    const closed = unfinishedBody(url);
    await clock.advanceAsync(30_000);
    expect(await closed).toMatch(/closed|not received in time/);
  });
});
