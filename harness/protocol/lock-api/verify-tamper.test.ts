import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signRequest } from "./signing.ts";
import { type ReceivedRequest, verifySignature } from "./verify.ts";

/**
 * Tampering: every byte the signature covers (method, path and query, body, client_id, access_token, t, nonce, sign,
 * sign_method) changed to another value makes the request fail verification. Targets are drawn without `%` so that a
 * changed byte cannot be another spelling of the same text (percent-encoding is not signed: the decoded URL is).
 */

const SECRET = "fedcba9876543210fedcba9876543210";
const T = 1_700_000_000_000;

const targetChars = "abcdefghijklmnopqrstuvwxyz0123456789-_./=&";
const target = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...targetChars.replace(/[=&]/g, "")), minLength: 1, maxLength: 30 }),
    fc.option(fc.string({ unit: fc.constantFrom(...targetChars), minLength: 1, maxLength: 30 }), {
      nil: undefined,
    }),
  )
  .map(([path, query]) => `/${path}${query === undefined ? "" : `?${query}`}`);

const request = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE"),
    target,
    body: fc.uint8Array({ maxLength: 64 }),
    clientId: fc.string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
      minLength: 1,
      maxLength: 20,
    }),
    accessToken: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 32 }),
    nonce: fc.string({ unit: fc.constantFrom(..."0123456789abcdef-"), maxLength: 12 }),
  })
  .map(
    (r): ReceivedRequest => ({
      method: r.method,
      target: r.target,
      body: r.body,
      headers: signRequest({ ...r, secret: SECRET, t: T }),
    }),
  );

const fields = [
  "method",
  "target",
  "body",
  "client_id",
  "access_token",
  "t",
  "nonce",
  "sign",
  "sign_method",
] as const;

/** `text` with the character at `index` (mod length) replaced by one that differs; `text` empty gets one added. */
function changeChar(text: string, index: number, pick: number, alphabet: string): string {
  if (text.length === 0) return alphabet[pick % alphabet.length] ?? "x";
  const at = index % text.length;
  const others = [...alphabet].filter((c) => c !== text[at]);
  return `${text.slice(0, at)}${others[pick % others.length]}${text.slice(at + 1)}`;
}

function tamper(
  r: ReceivedRequest,
  field: (typeof fields)[number],
  index: number,
  pick: number,
): ReceivedRequest {
  const headers = { ...r.headers } as Record<string, string>;
  switch (field) {
    case "method":
      return { ...r, method: changeChar(r.method, index, pick, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") };
    case "target": {
      // The leading "/" stays, so the result is still a path.
      const changed = changeChar(r.target.slice(1), index, pick, targetChars);
      return { ...r, target: `/${changed}` };
    }
    case "body": {
      const body = Uint8Array.from(r.body as Uint8Array);
      if (body.length === 0) return { ...r, body: Uint8Array.of(pick % 256) };
      const at = index % body.length;
      body[at] = (body[at] ?? 0) ^ (1 + (pick % 255));
      return { ...r, body };
    }
    case "nonce":
      headers.nonce = changeChar(headers.nonce ?? "", index, pick, "0123456789abcdef-");
      return { ...r, headers };
    case "sign":
      headers.sign = changeChar(headers.sign ?? "", index, pick, "0123456789ABCDEFabcdef");
      return { ...r, headers };
    default:
      headers[field] = changeChar(headers[field] ?? "", index, pick, "0123456789abcdefABCDEF-");
      return { ...r, headers };
  }
}

describe("tampering", () => {
  it("property: the request as signed verifies", () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(verifySignature(r, SECRET, T).ok).toBe(true);
      }),
    );
  });

  it("property: any one changed byte of a signed field fails verification", () => {
    fc.assert(
      fc.property(request, fc.constantFrom(...fields), fc.nat(), fc.nat(), (r, field, index, pick) => {
        const changed = tamper(r, field, index, pick);
        expect(verifySignature(changed, SECRET, T).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
