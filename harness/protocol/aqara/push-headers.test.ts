import { describe, expect, it } from "vitest";
import { abnormalAnswer, PUSH_SUCCESS_ANSWER } from "./push-answer.ts";
import { readPushHeaders } from "./push-headers.ts";
import { clientIdsOf, pushBody } from "./push-message.ts";
import { signPush } from "./push-signature.ts";

const NOW = 1_796_000_000_000;
const signing = { appKey: "key1", appSecret: "secret1" };
const signed = (over: Record<string, string> = {}) => {
  const base = { time: String(NOW), nonce: "n-1", appkey: "key1", ...over };
  return { ...base, sign: signPush(base, "secret1"), ...over };
};
const never = () => false;

describe("a receiver's checks of a push's headers", () => {
  it("accepts a signed push and an unsigned one when signing is off", () => {
    expect(readPushHeaders(signed(), { signing, now: NOW, nonceSeen: never })).toEqual({
      ok: true,
      value: { time: String(NOW), nonce: "n-1", appkey: "key1" },
    });
    expect(readPushHeaders({ time: String(NOW), nonce: "x" }, { now: NOW, nonceSeen: never }).ok).toBe(true);
  });

  it("refuses each fault with its code, naming the header", () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ nonce: "n" }, 302, "time"],
      [{ time: String(NOW) }, 302, "nonce"],
      [{ time: "soon", nonce: "n" }, 303, "time"],
      [{ time: String(NOW - 6 * 60_000), nonce: "n" }, 903, "time"],
    ];
    for (const [headers, code, field] of cases) {
      const read = readPushHeaders(headers, { now: NOW, nonceSeen: never });
      expect(read.ok ? undefined : [read.error.apiCode, read.error.field]).toEqual([code, field]);
    }
    const bad = (headers: Record<string, string>) => {
      const read = readPushHeaders(headers, { signing, now: NOW, nonceSeen: never });
      return read.ok ? undefined : [read.error.apiCode, read.error.field];
    };
    expect(bad({ time: String(NOW), nonce: "n" })).toEqual([302, "appkey"]);
    expect(bad({ ...signed(), sign: "0".repeat(32) })).toEqual([902, "sign"]);
    expect(bad(signed({ appkey: "other" }))).toEqual([901, "appkey"]);
    expect(bad({ ...signed(), nonce: "changed" })).toEqual([902, "sign"]);
  });

  it("refuses a nonce seen before, after every other check", () => {
    const seen = (nonce: string) => nonce === "n-1";
    const read = readPushHeaders(signed(), { signing, now: NOW, nonceSeen: seen });
    expect(read.ok ? undefined : read.error.apiCode).toBe(904);
    const badSign = readPushHeaders(
      { ...signed(), sign: "1".repeat(32) },
      { signing, now: NOW, nonceSeen: seen },
    );
    expect(badSign.ok ? undefined : badSign.error.apiCode).toBe(902);
  });
});

describe("a push's body and the answers", () => {
  it("joins client ids with commas and reads them back", () => {
    expect(pushBody(["a", "b"], "{}")).toEqual({ token: "a,b", data: "{}" });
    expect(clientIdsOf(" a, ,b ")).toEqual(["a", "b"]);
  });

  it("judges an answer normal only in the format", () => {
    expect(abnormalAnswer(200, JSON.stringify(PUSH_SUCCESS_ANSWER), "exact")).toBeUndefined();
    expect(abnormalAnswer(200, '{"code":0}')).toBeUndefined();
    expect(abnormalAnswer(200, '{"code":0}', "exact")).toMatch(/message/);
    expect(abnormalAnswer(500, "{}")).toBe("HTTP 500");
    expect(abnormalAnswer(200, "ok")).toBe("a body that is not JSON");
    expect(abnormalAnswer(200, "[0]")).toBe("a body that is not a JSON object");
    expect(abnormalAnswer(200, '{"code":"0"}')).toBe('code "0", not 0');
  });
});
