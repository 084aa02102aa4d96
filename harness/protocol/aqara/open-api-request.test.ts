import { describe, expect, it } from "vitest";
import { seededRandom } from "../../random/random.ts";
import { NonceMemory } from "./nonce-memory.ts";
import { openApiHeaders } from "./open-api-auth.ts";
import { readOpenApiRequest } from "./open-api-request.ts";
import { SdkTokenBook } from "./sdk-token.ts";

const NOW = 1_796_000_000_000;
const KEYS = new Map([["app-1", new Map([["k1", "appkey-one"]])]]);
const keysOf = (appId: string) => KEYS.get(appId);
const never = () => false;

/** Node's view of a request's headers: lower-cased names. */
function received(
  over: { appid?: string; keyid?: string; nonce?: string; time?: string; accesstoken?: string } = {},
) {
  const headers = openApiHeaders(
    { appid: "app-1", keyid: "k1", nonce: "n-1", time: String(NOW), ...over },
    "appkey-one",
  );
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function fault(
  headers: Record<string, string>,
  nonceSeen: (appId: string, nonce: string) => boolean = never,
) {
  const read = readOpenApiRequest(headers, { now: NOW, keysOf, nonceSeen });
  return read.ok ? undefined : [read.error.apiCode, read.error.field];
}

describe("the open API's checks of a request's headers", () => {
  it("accepts a signed request, with and without Accesstoken", () => {
    expect(readOpenApiRequest(received(), { now: NOW, keysOf, nonceSeen: never })).toEqual({
      ok: true,
      value: { appId: "app-1", keyId: "k1", nonce: "n-1", time: NOW, accessToken: "" },
    });
    const withToken = readOpenApiRequest(received({ accesstoken: "tok" }), {
      now: NOW,
      keysOf,
      nonceSeen: never,
    });
    expect(withToken.ok && withToken.value.accessToken).toBe("tok");
  });

  it("refuses each fault with its code, naming the header", () => {
    const all = received();
    for (const name of ["Appid", "Keyid", "Nonce", "Time", "Sign"]) {
      const { [name.toLowerCase()]: _, ...rest } = all;
      expect(fault(rest)).toEqual([302, name]);
    }
    expect(fault({ ...all, nonce: "x".repeat(257) })).toEqual([303, "Nonce"]);
    expect(fault(received({ time: "soon" }))).toEqual([303, "Time"]);
    expect(fault(received({ time: String(NOW - 5 * 60_000 - 1) }))).toEqual([903, "Time"]);
    expect(fault(received({ time: String(NOW + 5 * 60_000 + 1) }))).toEqual([903, "Time"]);
    expect(fault(received({ appid: "app-2" }))).toEqual([901, "Appid"]);
    expect(fault(received({ keyid: "k2" }))).toEqual([901, "Keyid"]);
    expect(fault({ ...all, sign: "0".repeat(32) })).toEqual([902, "Sign"]);
    // Accesstoken is signed: adding one to a signed request breaks the sign.
    expect(fault({ ...all, accesstoken: "stolen" })).toEqual([902, "Sign"]);
    expect(fault(received(), (appId, nonce) => appId === "app-1" && nonce === "n-1")).toEqual([904, "Nonce"]);
    // A bad sign is refused before the nonce is looked at.
    expect(fault({ ...all, sign: "1".repeat(32) }, () => true)).toEqual([902, "Sign"]);
  });
});

describe("the nonce memory", () => {
  it("holds a nonce until its time leaves the window, and at most `capacity`, oldest forgotten first", () => {
    const memory = new NonceMemory(1000, 3);
    memory.remember("a\nn", NOW - 500, NOW);
    expect(memory.seen("a\nn", NOW + 1000)).toBe(true);
    expect(memory.seen("b\nn", NOW)).toBe(false);
    expect(memory.seen("a\nn", NOW + 1001)).toBe(false);
    for (const n of ["1", "2", "3", "4"]) memory.remember(`a\n${n}`, NOW, NOW);
    expect([memory.size, memory.evicted]).toEqual([3, 1]);
    expect(memory.seen("a\n1", NOW)).toBe(false);
    expect(memory.seen("a\n4", NOW)).toBe(true);
    memory.remember("a\n5", NOW + 5000, NOW + 5000);
    expect(memory.size).toBe(1);
    expect(() => new NonceMemory(-1)).toThrow(/toleranceMs/);
  });
});

describe("the UI-SDK's tokens", () => {
  const random = seededRandom(7);
  const client = { appId: "app-1", userId: "u-1" };

  it("issue a token valid expiresIn seconds; another stays valid beside it until its own expiry", () => {
    const book = new SdkTokenBook({ expiresInS: 60 });
    const first = book.issue(client, NOW, random);
    expect(first.token).toMatch(/^[0-9a-f]{32}$/);
    expect(first.expiresIn).toBe(60);
    expect(book.check("app-1", first.token, NOW + 59_999, "Accesstoken").ok).toBe(true);
    const second = book.issue(client, NOW + 30_000, random);
    expect(second.token).not.toBe(first.token);
    const late = book.check("app-1", first.token, NOW + 60_000, "Accesstoken");
    expect(late.ok ? undefined : [late.error.apiCode, late.error.field]).toEqual([108, "Accesstoken"]);
    expect(book.check("app-1", second.token, NOW + 60_000, "Accesstoken").ok).toBe(true);
    const other = book.check("app-2", second.token, NOW, "Accesstoken");
    expect(other.ok ? undefined : other.error.apiCode).toBe(108);
    const none = book.check("app-1", "", NOW, "Accesstoken");
    expect(none.ok ? undefined : [none.error.apiCode, none.error.field]).toEqual([302, "Accesstoken"]);
  });

  it("end a token at its notification; a token that no longer works is 108 and nothing changes", () => {
    const book = new SdkTokenBook();
    const { token } = book.issue(client, NOW, random);
    const kept = book.issue(client, NOW, random);
    expect(book.expire("app-2", token, NOW).ok).toBe(false);
    expect(book.check("app-1", token, NOW, "t").ok).toBe(true);
    expect(book.expire("app-1", token, NOW).ok).toBe(true);
    expect(book.check("app-1", token, NOW, "t").ok).toBe(false);
    const again = book.expire("app-1", token, NOW);
    expect(again.ok ? undefined : [again.error.apiCode, again.error.field]).toEqual([108, "token"]);
    expect(book.check("app-1", kept.token, NOW, "t").ok).toBe(true);
  });

  it("keep at most maxPerApp tokens per app and forget expired ones", () => {
    const book = new SdkTokenBook({ expiresInS: 10, maxPerApp: 2 });
    const [a, b, c] = [0, 1, 2].map(() => book.issue(client, NOW, random).token);
    book.issue({ appId: "app-2", userId: "u" }, NOW, random);
    expect(book.check("app-1", a ?? "", NOW, "t").ok).toBe(false);
    expect(book.check("app-1", b ?? "", NOW, "t").ok).toBe(true);
    expect(book.check("app-1", c ?? "", NOW, "t").ok).toBe(true);
    expect(book.size).toBe(3);
    book.prune(NOW + 10_000);
    expect(book.size).toBe(0);
    expect(() => new SdkTokenBook({ expiresInS: 0 })).toThrow(/expiresInS/);
  });
});
