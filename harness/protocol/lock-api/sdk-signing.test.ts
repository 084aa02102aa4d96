import { TuyaOpenApiClient } from "@tuya/tuya-connector-nodejs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifySignature } from "./verify.ts";

/**
 * The official Node SDK (2.1.2) as the reference signer, without a socket: whatever path, query and body a caller
 * hands `getSignHeaders`, the headers it computes (and the URL and JSON body it then sends) pass `verifySignature`.
 * The network round trip is in sdk-proof.test.ts.
 */

const ACCESS_ID = "sdkclient0000000001";
const SECRET = "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3t00";
const TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

function sdkClient() {
  return new TuyaOpenApiClient({
    baseUrl: "http://127.0.0.1:9",
    accessKey: ACCESS_ID,
    secretKey: SECRET,
    store: {
      setTokens: async () => true,
      getAccessToken: async () => TOKEN,
      getRefreshToken: async () => "unused",
    },
  });
}

const name = fc.stringMatching(/^[a-z][a-z_]{0,9}$/);
const value = fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.integer(), fc.boolean());
const json = fc.dictionary(name, fc.oneof(value, fc.array(fc.integer(), { maxLength: 3 })), { maxKeys: 5 });

describe("the SDK's signature (getSignHeaders) verifies", () => {
  it("property: any method, device path, query and JSON body", async () => {
    const client = sdkClient();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE"),
        fc.stringMatching(/^[a-z0-9]{6,22}$/),
        fc.dictionary(name, value, { maxKeys: 6 }),
        json,
        async (method, deviceId, query, body) => {
          const path = `/v1.0/devices/${deviceId}/door-lock/open-logs`;
          const { path: url, ...headers } = await client.getSignHeaders(path, method, { ...query }, body);
          const received = { method, target: url ?? path, headers, body: JSON.stringify(body) };
          const checked = verifySignature(received, SECRET, Number(headers.t));
          expect(checked).toMatchObject({ ok: true, value: { clientId: ACCESS_ID, accessToken: TOKEN } });
        },
      ),
      { numRuns: 200 },
    );
  });
});
