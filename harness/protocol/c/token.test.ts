import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { seededRandom } from "../../random/random.ts";
import {
  checkToken,
  DEFAULT_TOKEN_LIFETIME_MS,
  issueToken,
  pruneTokens,
  type TokenState,
  tokenState,
} from "./token.ts";

const T0 = Date.UTC(2024, 2, 15, 1, 30, 12);
const fresh = () => tokenState({ "ctsh-01": "key-1", "ctsh-02": "key-2" });

function issue(state: TokenState, id: string, key: string, now: number, token: string) {
  const issued = issueToken(state, id, key, now, token);
  if (!issued.ok) throw new Error(issued.error.message);
  return issued.value;
}

describe("tokens (7.3.1.1, 7.3.2.1)", () => {
  it("issues a token that expires lifetime after now, 2 hours by default", () => {
    const { state, access_token, expiredAt } = issue(fresh(), "ctsh-01", "key-1", T0, "tok-A");
    expect(access_token).toBe("tok-A");
    expect(expiredAt).toBe(T0 + DEFAULT_TOKEN_LIFETIME_MS);
    expect(DEFAULT_TOKEN_LIFETIME_MS).toBe(7_200_000);
    expect(checkToken(state, "tok-A", T0)).toEqual({ ok: true, value: { platformId: "ctsh-01", expiredAt } });
    expect(checkToken(state, "tok-A", expiredAt - 1).ok).toBe(true);
  });

  it("a token is 1001 at expiredAt and after", () => {
    const { state, expiredAt } = issue(fresh(), "ctsh-01", "key-1", T0, "tok-A");
    for (const now of [expiredAt, expiredAt + 1, expiredAt + 86_400_000]) {
      const checked = checkToken(state, "tok-A", now);
      expect(checked).toMatchObject({
        ok: false,
        error: { resultCode: 1001, code: "TOKEN_INVALID", field: "access_token" },
      });
      if (!checked.ok) expect(checked.error.message).not.toContain("tok-A");
    }
  });

  it("an unknown token is 1001", () => {
    expect(checkToken(fresh(), "nope", T0)).toMatchObject({ ok: false, error: { resultCode: 1001 } });
  });

  it("a renewal replaces the platform's token: the old one is 1001 at once, the other platform's is untouched", () => {
    let state = issue(fresh(), "ctsh-01", "key-1", T0, "tok-A").state;
    state = issue(state, "ctsh-02", "key-2", T0, "tok-B").state;
    const renewed = issue(state, "ctsh-01", "key-1", T0 + 60_000, "tok-C");
    expect(renewed.expiredAt).toBe(T0 + 60_000 + DEFAULT_TOKEN_LIFETIME_MS);
    expect(checkToken(renewed.state, "tok-A", T0 + 60_000)).toMatchObject({
      ok: false,
      error: { resultCode: 1001 },
    });
    expect(checkToken(renewed.state, "tok-C", T0 + 60_000).ok).toBe(true);
    expect(checkToken(renewed.state, "tok-B", T0 + 60_000).ok).toBe(true);
    // The state is a value: the one before the renewal still holds the old token.
    expect(checkToken(state, "tok-A", T0 + 60_000).ok).toBe(true);
  });

  it("wrong credentials are 1002 on the key field, named after the interface, the key never shown", () => {
    const wrong: [string, string][] = [
      ["ctsh-01", "key-2"],
      ["ctsh-09", "key-1"],
    ];
    for (const [id, key] of wrong) {
      const issued = issueToken(fresh(), id, key, T0, "tok-A");
      expect(issued).toMatchObject({
        ok: false,
        error: { resultCode: 1002, field: "platformKey", value: "[redacted]" },
      });
    }
    const c21 = tokenState([["ctsh", "cloud-key"]], { interface: "C21", lifetimeMs: 1000 });
    expect(issueToken(c21, "ctsh", "bad", T0, "t")).toMatchObject({
      ok: false,
      error: { field: "cloudKey" },
    });
    expect(issueToken(c21, "ctsh", "cloud-key", T0, "t")).toMatchObject({
      ok: true,
      value: { expiredAt: T0 + 1000 },
    });
  });

  it("draws 16 letters and digits from a Random, reproducibly", () => {
    const a = issueToken(fresh(), "ctsh-01", "key-1", T0, seededRandom(7));
    const b = issueToken(fresh(), "ctsh-01", "key-1", T0, seededRandom(7));
    expect(a.ok && a.value.access_token).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(a.ok && b.ok && a.value.access_token === b.value.access_token).toBe(true);
  });

  it("refuses a caller's token that another platform holds, a bad now and a bad lifetime", () => {
    const state = issue(fresh(), "ctsh-01", "key-1", T0, "tok-A").state;
    expect(() => issueToken(state, "ctsh-02", "key-2", T0, "tok-A")).toThrow(UsageError);
    expect(() => issueToken(state, "ctsh-02", "key-2", T0, "")).toThrow(UsageError);
    expect(issue(state, "ctsh-01", "key-1", T0 + 1, "tok-A").expiredAt).toBe(
      T0 + 1 + DEFAULT_TOKEN_LIFETIME_MS,
    );
    expect(() => checkToken(state, "tok-A", Number.NaN)).toThrow(UsageError);
    expect(() => tokenState({}, { lifetimeMs: 0 })).toThrow(UsageError);
  });

  it("pruneTokens drops expired tokens only", () => {
    let state = issue(tokenState({ a: "ka", b: "kb" }, { lifetimeMs: 1000 }), "a", "ka", T0, "tA").state;
    state = issue(state, "b", "kb", T0 + 500, "tB").state;
    const pruned = pruneTokens(state, T0 + 1000);
    expect([...pruned.tokens.keys()]).toEqual(["tB"]);
    expect([...pruned.current.keys()]).toEqual(["b"]);
  });
});
