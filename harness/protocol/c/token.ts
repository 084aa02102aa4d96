import { createHash, timingSafeEqual } from "node:crypto";
import { fail, ok, type Result, UsageError } from "../../errors.ts";
import { badParameter, CRequestError } from "./errors.ts";

/**
 * The tokens of C11 (served by the smart-home platform) and C21 (served by the third-party platform) as pure
 * functions over a state and `now` (milliseconds); the side serving the interface keeps the state.
 * - 7.3.1.1, 7.3.2.1: the answer carries `access_token` and `expiredAt`, a timestamp: the design reads it as
 *   milliseconds, and a request whose token has expired is answered 1001.
 * - A token is valid while `now < expiredAt`: at `expiredAt` it has expired.
 * - The spec gives no lifetime: hilfarm's default is 2 hours (`DEFAULT_TOKEN_LIFETIME_MS`), an option.
 * - The spec says nothing of renewal: a new token for a platform replaces its previous one, which is 1001 from then
 *   on (one live token per platform; a token request is how a peer renews).
 * - Unknown credentials are 1002 naming the key field: 7.3.1.9 has no code for them, and they are parameters.
 */

export const DEFAULT_TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;

/** Where new tokens come from: the run's `Random` (harness/random) fits; 16 letters and digits, as Mc's tokens. */
export interface TokenSource {
  string(length: number): string;
}
const TOKEN_LENGTH = 16;

/** Which token interface a state serves: its credential fields are named after it. */
export type CTokenInterface = "C11" | "C21";

const credentialFields: Readonly<Record<CTokenInterface, { id: string; key: string }>> = {
  C11: { id: "platformId", key: "platformKey" },
  C21: { id: "cloudId", key: "cloudKey" },
};

export interface IssuedToken {
  /** The platform the token was issued to (`platformId` of C11, `cloudId` of C21). */
  readonly platformId: string;
  readonly expiredAt: number;
}

export interface TokenState {
  readonly interface: CTokenInterface;
  readonly lifetimeMs: number;
  /** Id -> key, exchanged offline (7.2 step 1). */
  readonly credentials: ReadonlyMap<string, string>;
  /** `access_token` -> what it was issued for. */
  readonly tokens: ReadonlyMap<string, IssuedToken>;
  /** Id -> its current `access_token`. */
  readonly current: ReadonlyMap<string, string>;
}

export interface TokenOptions {
  /** Default C11. */
  interface?: CTokenInterface;
  /** Default `DEFAULT_TOKEN_LIFETIME_MS`. */
  lifetimeMs?: number;
}

function checkInstant(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new UsageError(
      name,
      `${name}: expected milliseconds since 1970 (a non-negative integer), got ${value}`,
    );
}

export function tokenState(
  credentials: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
  options: TokenOptions = {},
): TokenState {
  const lifetimeMs = options.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  if (!Number.isSafeInteger(lifetimeMs) || lifetimeMs <= 0)
    throw new UsageError("lifetimeMs", `lifetimeMs: expected a positive integer, got ${lifetimeMs}`);
  const pairs = Symbol.iterator in credentials ? [...credentials] : Object.entries(credentials);
  return {
    interface: options.interface ?? "C11",
    lifetimeMs,
    credentials: new Map(pairs),
    tokens: new Map(),
    current: new Map(),
  };
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

export interface TokenIssue {
  state: TokenState;
  access_token: string;
  expiredAt: number;
}

/**
 * Answers a token request at `now`: a new token for `platformId`, replacing its previous one, or 1002 when the
 * credentials are not known. `token` is the new token's text, or a source (the run's `Random`) to draw 16 letters and digits from.
 */
export function issueToken(
  state: TokenState,
  platformId: string,
  platformKey: string,
  now: number,
  token: string | TokenSource,
): Result<TokenIssue, CRequestError> {
  checkInstant("now", now);
  const names = credentialFields[state.interface];
  const key = state.credentials.get(platformId);
  if (key === undefined || !sameSecret(key, platformKey))
    return fail(badParameter(names.key, `unknown ${names.id} or wrong ${names.key}`, platformKey));
  const taken = (t: string) => {
    const holder = state.tokens.get(t);
    return holder !== undefined && (holder.platformId !== platformId || state.current.get(platformId) !== t);
  };
  let access_token: string;
  if (typeof token === "string") {
    if (token.length === 0 || taken(token))
      throw new UsageError("token", "token: expected a non-empty token that no other platform holds");
    access_token = token;
  } else {
    do access_token = token.string(TOKEN_LENGTH);
    while (taken(access_token));
  }
  const expiredAt = now + state.lifetimeMs;
  const tokens = new Map(state.tokens);
  const previous = state.current.get(platformId);
  if (previous !== undefined) tokens.delete(previous);
  tokens.set(access_token, { platformId, expiredAt });
  const current = new Map(state.current).set(platformId, access_token);
  return ok({ state: { ...state, tokens, current }, access_token, expiredAt });
}

/** A request's `access_token` at `now`: what it was issued for, or 1001 (unknown, replaced or expired). */
export function checkToken(
  state: TokenState,
  token: string,
  now: number,
): Result<IssuedToken, CRequestError> {
  checkInstant("now", now);
  const issued = state.tokens.get(token);
  if (issued === undefined)
    return fail(
      new CRequestError(
        "TOKEN_INVALID",
        "access_token: not issued, or replaced",
        "access_token",
        "[redacted]",
      ),
    );
  if (now >= issued.expiredAt)
    return fail(
      new CRequestError(
        "TOKEN_INVALID",
        `access_token: expired at ${issued.expiredAt} (now ${now})`,
        "access_token",
        "[redacted]",
      ),
    );
  return ok(issued);
}

/** The state without the tokens that have expired at `now`. */
export function pruneTokens(state: TokenState, now: number): TokenState {
  checkInstant("now", now);
  const tokens = new Map([...state.tokens].filter(([, t]) => now < t.expiredAt));
  const current = new Map([...state.current].filter(([, t]) => tokens.has(t)));
  return { ...state, tokens, current };
}
