import { fail, ok, type Result, UsageError } from "../../errors.ts";
import type { Random } from "../../random/random.ts";
import { LockApiError, missingParameter } from "./errors.ts";

/**
 * The lock API's tokens as pure functions over a state and `now` (milliseconds); the serving side keeps the state.
 * The seed is silent on tokens; this follows the vendor's cloud and what its Node SDK 2.1.2 expects:
 * - `GET /v1.0/token?grant_type=1` answers `{access_token, refresh_token, expire_time, uid}`: strings, and
 *   `expire_time` the seconds the access token has left (the SDK stores the `result` as it is).
 * - A grant while the client's access token is still valid answers that same pair with the seconds left, so that
 *   several processes sharing one client id do not revoke each other's tokens.
 * - `GET /v1.0/token/{refresh_token}` answers a new pair; the old access and refresh tokens are dead from then on.
 * - An access token is valid while `now < expiresAt`: from then on 1010 (token is expired), which is the code on
 *   which the SDK refreshes and retries; an unknown or replaced one is 1011; none at all is 1002.
 * - The refresh token outlives its access token (the SDK refreshes only after a 1010): 30 days by default.
 */

/** 2 hours, as the vendor's token answers (`expire_time` 7200). */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;
/** hilfarm's choice (the vendor publishes none); it must exceed the access token's. */
export const DEFAULT_REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/** The `result` of both token calls. */
export interface LockTokenAnswer {
  access_token: string;
  refresh_token: string;
  /** Seconds the access token has left. */
  expire_time: number;
  uid: string;
}

export interface LockTokenPair {
  readonly clientId: string;
  readonly uid: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly refreshExpiresAt: number;
}

export interface LockTokenState {
  readonly accessLifetimeMs: number;
  readonly refreshLifetimeMs: number;
  /** `access_token` -> its pair. */
  readonly byAccess: ReadonlyMap<string, LockTokenPair>;
  /** `refresh_token` -> its pair. */
  readonly byRefresh: ReadonlyMap<string, LockTokenPair>;
  /** Client id -> its current pair. */
  readonly current: ReadonlyMap<string, LockTokenPair>;
  /** Refresh tokens already used (1012 when used again), until they would have expired. */
  readonly usedRefresh: ReadonlyMap<string, number>;
}

export interface LockTokenOptions {
  accessLifetimeMs?: number;
  refreshLifetimeMs?: number;
}

function checkPositive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new UsageError(name, `${name}: expected a positive integer of milliseconds, got ${value}`);
}

function checkInstant(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0)
    throw new UsageError("now", `now: expected milliseconds since 1970 (a non-negative integer), got ${now}`);
}

export function lockTokenState(options: LockTokenOptions = {}): LockTokenState {
  const accessLifetimeMs = options.accessLifetimeMs ?? DEFAULT_ACCESS_TOKEN_LIFETIME_MS;
  const refreshLifetimeMs = options.refreshLifetimeMs ?? DEFAULT_REFRESH_TOKEN_LIFETIME_MS;
  checkPositive("accessLifetimeMs", accessLifetimeMs);
  checkPositive("refreshLifetimeMs", refreshLifetimeMs);
  if (refreshLifetimeMs <= accessLifetimeMs)
    throw new UsageError(
      "refreshLifetimeMs",
      `refreshLifetimeMs: expected more than accessLifetimeMs (${accessLifetimeMs}), got ${refreshLifetimeMs}`,
    );
  return {
    accessLifetimeMs,
    refreshLifetimeMs,
    byAccess: new Map(),
    byRefresh: new Map(),
    current: new Map(),
    usedRefresh: new Map(),
  };
}

/** 32 lowercase hex characters, as the vendor's tokens look. */
const TOKEN_ALPHABET = "0123456789abcdef";
const TOKEN_LENGTH = 32;

export function answerOf(pair: LockTokenPair, now: number): LockTokenAnswer {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    expire_time: Math.max(0, Math.floor((pair.accessExpiresAt - now) / 1000)),
    uid: pair.uid,
  };
}

export interface LockTokenIssue {
  state: LockTokenState;
  answer: LockTokenAnswer;
}

function newPair(
  state: LockTokenState,
  client: { clientId: string; uid: string },
  now: number,
  random: Random,
): LockTokenIssue {
  const fresh = () => {
    let token: string;
    do token = random.string(TOKEN_LENGTH, TOKEN_ALPHABET);
    while (state.byAccess.has(token) || state.byRefresh.has(token) || state.usedRefresh.has(token));
    return token;
  };
  const pair: LockTokenPair = {
    ...client,
    accessToken: fresh(),
    refreshToken: fresh(),
    accessExpiresAt: now + state.accessLifetimeMs,
    refreshExpiresAt: now + state.refreshLifetimeMs,
  };
  const byAccess = new Map(state.byAccess);
  const byRefresh = new Map(state.byRefresh);
  const previous = state.current.get(client.clientId);
  if (previous !== undefined) {
    byAccess.delete(previous.accessToken);
    byRefresh.delete(previous.refreshToken);
  }
  byAccess.set(pair.accessToken, pair);
  byRefresh.set(pair.refreshToken, pair);
  const current = new Map(state.current).set(client.clientId, pair);
  return { state: { ...state, byAccess, byRefresh, current }, answer: answerOf(pair, now) };
}

/**
 * `GET /v1.0/token?grant_type=1` for a client whose signature has been verified: its valid pair with the seconds
 * left, or a new pair (replacing an expired one). `uid` is the account the client's project belongs to.
 */
export function grantLockToken(
  state: LockTokenState,
  client: { clientId: string; uid: string },
  now: number,
  random: Random,
): LockTokenIssue {
  checkInstant(now);
  const live = state.current.get(client.clientId);
  if (live !== undefined && now < live.accessExpiresAt) return { state, answer: answerOf(live, now) };
  return newPair(state, client, now, random);
}

/** `GET /v1.0/token/{refresh_token}`: a new pair for the refresh token's client; the old pair dies. */
export function refreshLockToken(
  state: LockTokenState,
  clientId: string,
  refreshToken: string,
  now: number,
  random: Random,
): Result<LockTokenIssue, LockApiError> {
  checkInstant(now);
  if (refreshToken === "") return fail(missingParameter("refresh_token"));
  const pair = state.byRefresh.get(refreshToken);
  if (pair === undefined || pair.clientId !== clientId) {
    const used = state.usedRefresh.get(refreshToken);
    if (used !== undefined && now < used)
      return fail(
        new LockApiError("tokenStatusInvalid", "refresh_token: already used", "refresh_token", "[redacted]"),
      );
    return fail(
      new LockApiError(
        "tokenInvalid",
        "refresh_token: not issued, or replaced",
        "refresh_token",
        "[redacted]",
      ),
    );
  }
  if (now >= pair.refreshExpiresAt)
    return fail(
      new LockApiError(
        "tokenExpired",
        `refresh_token: expired at ${pair.refreshExpiresAt} (now ${now})`,
        "refresh_token",
        "[redacted]",
      ),
    );
  const issued = newPair(state, { clientId: pair.clientId, uid: pair.uid }, now, random);
  const usedRefresh = new Map(issued.state.usedRefresh).set(refreshToken, pair.refreshExpiresAt);
  return ok({ state: { ...issued.state, usedRefresh }, answer: issued.answer });
}

/**
 * A business call's `access_token` at `now`, for the client that signed it: its pair, or 1002 (none sent), 1011 (not
 * issued, replaced, or another client's) or 1010 (expired).
 */
export function checkAccessToken(
  state: LockTokenState,
  clientId: string,
  accessToken: string,
  now: number,
): Result<LockTokenPair, LockApiError> {
  checkInstant(now);
  if (accessToken === "")
    return fail(new LockApiError("accessTokenMissing", "header access_token is required", "access_token"));
  const pair = state.byAccess.get(accessToken);
  if (pair === undefined || pair.clientId !== clientId)
    return fail(
      new LockApiError("tokenInvalid", "access_token: not issued, or replaced", "access_token", "[redacted]"),
    );
  if (now >= pair.accessExpiresAt)
    return fail(
      new LockApiError(
        "tokenExpired",
        `access_token: expired at ${pair.accessExpiresAt} (now ${now})`,
        "access_token",
        "[redacted]",
      ),
    );
  return ok(pair);
}

/** The state without pairs whose refresh token has expired at `now`, nor used refresh tokens past their time. */
export function pruneLockTokens(state: LockTokenState, now: number): LockTokenState {
  checkInstant(now);
  const alive = (pair: LockTokenPair) => now < pair.refreshExpiresAt;
  return {
    ...state,
    byAccess: new Map([...state.byAccess].filter(([, p]) => alive(p))),
    byRefresh: new Map([...state.byRefresh].filter(([, p]) => alive(p))),
    current: new Map([...state.current].filter(([, p]) => alive(p))),
    usedRefresh: new Map([...state.usedRefresh].filter(([, until]) => now < until)),
  };
}
