import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { seededRandom } from "../../random/random.ts";
import {
  checkAccessToken,
  DEFAULT_ACCESS_TOKEN_LIFETIME_MS,
  DEFAULT_REFRESH_TOKEN_LIFETIME_MS,
  grantLockToken,
  type LockTokenState,
  lockTokenState,
  pruneLockTokens,
  refreshLockToken,
} from "./token.ts";

const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);
const A = { clientId: "client-a", uid: "uid-a" };
const B = { clientId: "client-b", uid: "uid-b" };

function refresh(state: LockTokenState, clientId: string, token: string, now: number, seed = 2) {
  const refreshed = refreshLockToken(state, clientId, token, now, seededRandom(seed));
  if (!refreshed.ok) throw new Error(refreshed.error.message);
  return refreshed.value;
}

describe("lock API tokens", () => {
  it("a grant answers the SDK's fields: strings, expire_time in seconds (7200 by default), the uid", () => {
    const { state, answer } = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    expect(answer).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      refresh_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      expire_time: 7200,
      uid: "uid-a",
    });
    expect(answer.access_token).not.toBe(answer.refresh_token);
    expect(DEFAULT_ACCESS_TOKEN_LIFETIME_MS).toBe(7_200_000);
    expect(checkAccessToken(state, "client-a", answer.access_token, T0)).toMatchObject({
      ok: true,
      value: A,
    });
  });

  it("is reproducible from the seed", () => {
    const one = grantLockToken(lockTokenState(), A, T0, seededRandom(9)).answer;
    expect(grantLockToken(lockTokenState(), A, T0, seededRandom(9)).answer).toEqual(one);
    expect(grantLockToken(lockTokenState(), A, T0, seededRandom(10)).answer).not.toEqual(one);
  });

  it("a second grant while the token lives answers the same pair with the seconds left", () => {
    const first = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    const again = grantLockToken(first.state, A, T0 + 1_500, seededRandom(5));
    expect(again.answer).toEqual({ ...first.answer, expire_time: 7198 });
    const other = grantLockToken(again.state, B, T0, seededRandom(6));
    expect(other.answer.access_token).not.toBe(first.answer.access_token);
    expect(checkAccessToken(other.state, "client-a", first.answer.access_token, T0).ok).toBe(true);
  });

  it("an access token is 1010 at its expiry and after; a grant then gives a new pair", () => {
    const { state, answer } = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    const end = T0 + DEFAULT_ACCESS_TOKEN_LIFETIME_MS;
    expect(checkAccessToken(state, "client-a", answer.access_token, end - 1).ok).toBe(true);
    for (const now of [end, end + 1]) {
      const checked = checkAccessToken(state, "client-a", answer.access_token, now);
      expect(checked).toMatchObject({
        ok: false,
        error: { code: "tokenExpired", apiCode: 1010, field: "access_token" },
      });
      if (!checked.ok) expect(checked.error.message).not.toContain(answer.access_token);
    }
    const next = grantLockToken(state, A, end, seededRandom(3));
    expect(next.answer.access_token).not.toBe(answer.access_token);
    expect(checkAccessToken(next.state, "client-a", answer.access_token, end)).toMatchObject({
      ok: false,
      error: { apiCode: 1011 },
    });
  });

  it("no token is 1002, an unknown one or another client's is 1011", () => {
    const { state, answer } = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    expect(checkAccessToken(state, "client-a", "", T0)).toMatchObject({
      ok: false,
      error: { apiCode: 1002 },
    });
    expect(checkAccessToken(state, "client-a", "nope", T0)).toMatchObject({
      ok: false,
      error: { code: "tokenInvalid", apiCode: 1011 },
    });
    expect(checkAccessToken(state, "client-b", answer.access_token, T0)).toMatchObject({
      ok: false,
      error: { apiCode: 1011 },
    });
  });

  it("a refresh gives a new pair; the old access token is 1011 and the old refresh token 1012", () => {
    const granted = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    const later = T0 + DEFAULT_ACCESS_TOKEN_LIFETIME_MS + 60_000; // the SDK refreshes after a 1010
    const { state, answer } = refresh(granted.state, "client-a", granted.answer.refresh_token, later);
    expect(answer.expire_time).toBe(7200);
    expect(answer.uid).toBe("uid-a");
    expect(answer.access_token).not.toBe(granted.answer.access_token);
    expect(checkAccessToken(state, "client-a", answer.access_token, later).ok).toBe(true);
    expect(checkAccessToken(state, "client-a", granted.answer.access_token, T0)).toMatchObject({
      ok: false,
      error: { apiCode: 1011 },
    });
    expect(
      refreshLockToken(state, "client-a", granted.answer.refresh_token, later, seededRandom(4)),
    ).toMatchObject({
      ok: false,
      error: { code: "tokenStatusInvalid", apiCode: 1012, field: "refresh_token", value: "[redacted]" },
    });
    // A grant now answers the refreshed pair.
    expect(grantLockToken(state, A, later, seededRandom(8)).answer.access_token).toBe(answer.access_token);
  });

  it("a refresh token that is unknown, another client's or expired is refused", () => {
    const { state, answer } = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    const random = seededRandom(4);
    expect(refreshLockToken(state, "client-a", "nope", T0, random)).toMatchObject({
      ok: false,
      error: { apiCode: 1011 },
    });
    expect(refreshLockToken(state, "client-b", answer.refresh_token, T0, random)).toMatchObject({
      ok: false,
      error: { apiCode: 1011 },
    });
    expect(refreshLockToken(state, "client-a", "", T0, random)).toMatchObject({
      ok: false,
      error: { apiCode: 1100 },
    });
    const end = T0 + DEFAULT_REFRESH_TOKEN_LIFETIME_MS;
    expect(refreshLockToken(state, "client-a", answer.refresh_token, end - 1, random).ok).toBe(true);
    expect(refreshLockToken(state, "client-a", answer.refresh_token, end, random)).toMatchObject({
      ok: false,
      error: { code: "tokenExpired", apiCode: 1010 },
    });
  });

  it("prunes pairs whose refresh token has expired, and refuses bad lifetimes and instants", () => {
    const { state } = grantLockToken(lockTokenState(), A, T0, seededRandom(1));
    expect(pruneLockTokens(state, T0 + DEFAULT_REFRESH_TOKEN_LIFETIME_MS - 1).byAccess.size).toBe(1);
    const pruned = pruneLockTokens(state, T0 + DEFAULT_REFRESH_TOKEN_LIFETIME_MS);
    expect([pruned.byAccess.size, pruned.byRefresh.size, pruned.current.size]).toEqual([0, 0, 0]);
    expect(() => lockTokenState({ accessLifetimeMs: 0 })).toThrow(UsageError);
    expect(() => lockTokenState({ accessLifetimeMs: 10, refreshLifetimeMs: 10 })).toThrow(
      /refreshLifetimeMs/,
    );
    expect(() => grantLockToken(state, A, -1, seededRandom(1))).toThrow(/now/);
  });
});
