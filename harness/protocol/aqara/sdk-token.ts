import { fail, ok, type Result, UsageError } from "../../errors.ts";
import type { Random } from "../../random/random.ts";
import { AqaraError } from "./errors.ts";

/**
 * The UI-SDK's tokens (seed, "Get UI-SDK initialization parameter interface" and "Notify token expiration
 * interface"), pure: time is an argument, randomness is handed in. hilfarm's readings (docs/protocol-readings.md):
 * - a token is valid while `now < issuedAt + expiresIn * 1000`; from then on it is refused (108);
 * - asking for the initialization parameters again issues a new token; tokens issued before stay valid until their
 *   own expiry (several instances of one app may each hold one), at most `maxPerApp` per app (the oldest goes first);
 * - the notification that a token expired ends it at once; a token that no longer works (never issued, another
 *   app's, expired, already notified) is refused with 108 naming `token`, and nothing changes.
 */

/** Seconds, as the vendor's tokens are issued. */
export const DEFAULT_SDK_EXPIRES_IN_S = 7200;
export const DEFAULT_MAX_TOKENS_PER_APP = 1000;

/** 32 lowercase hex characters. */
const TOKEN_ALPHABET = "0123456789abcdef";
const TOKEN_LENGTH = 32;

export interface SdkToken {
  readonly appId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

export interface SdkTokenIssue {
  token: string;
  /** Seconds the token is valid from now. */
  expiresIn: number;
}

export class SdkTokenBook {
  readonly expiresInS: number;
  readonly #maxPerApp: number;
  /** token -> what it was issued for; tokens of an app in the order issued. */
  readonly #tokens = new Map<string, SdkToken>();

  constructor(options: { expiresInS?: number; maxPerApp?: number } = {}) {
    const expiresInS = options.expiresInS ?? DEFAULT_SDK_EXPIRES_IN_S;
    const maxPerApp = options.maxPerApp ?? DEFAULT_MAX_TOKENS_PER_APP;
    if (!Number.isSafeInteger(expiresInS) || expiresInS <= 0)
      throw new UsageError(
        "expiresInS",
        `expiresInS: expected a positive integer of seconds, got ${expiresInS}`,
      );
    if (!Number.isSafeInteger(maxPerApp) || maxPerApp <= 0)
      throw new UsageError("maxPerApp", `maxPerApp: expected a positive integer, got ${maxPerApp}`);
    this.expiresInS = expiresInS;
    this.#maxPerApp = maxPerApp;
  }

  /** A new token for `userId` of `appId`, valid `expiresInS` seconds from `now`. */
  issue(client: { appId: string; userId: string }, now: number, random: Random): SdkTokenIssue {
    this.prune(now);
    let token: string;
    do token = random.string(TOKEN_LENGTH, TOKEN_ALPHABET);
    while (this.#tokens.has(token));
    this.#tokens.set(token, { ...client, expiresAt: now + this.expiresInS * 1000 });
    const ofApp = [...this.#tokens].filter(([, t]) => t.appId === client.appId);
    for (const [old] of ofApp.slice(0, Math.max(0, ofApp.length - this.#maxPerApp))) this.#tokens.delete(old);
    return { token, expiresIn: this.expiresInS };
  }

  /**
   * A token as `appId` presents it at `now` (`field` names where it came from): what it was issued for, or 302 (none)
   * or 108 (never issued, another app's, notified expired, or past its time).
   */
  check(appId: string, token: string, now: number, field: string): Result<SdkToken, AqaraError> {
    if (token === "") return fail(new AqaraError("missingParameter", field, field));
    const issued = this.#tokens.get(token);
    if (issued === undefined || issued.appId !== appId)
      return fail(
        new AqaraError("tokenInvalid", `${field}: not issued to this app, or notified expired`, field),
      );
    if (now >= issued.expiresAt)
      return fail(
        new AqaraError("tokenInvalid", `${field}: expired at ${issued.expiresAt} (now ${now})`, field),
      );
    return ok(issued);
  }

  /** The notification that `token` expired: it stops working at once. */
  expire(appId: string, token: string, now: number): Result<SdkToken, AqaraError> {
    const live = this.check(appId, token, now, "token");
    if (live.ok) this.#tokens.delete(token);
    return live;
  }

  /** Tokens held (live ones, and expired ones not yet pruned). */
  get size(): number {
    return this.#tokens.size;
  }

  /** Forgets tokens past their time at `now`. */
  prune(now: number): void {
    for (const [token, issued] of this.#tokens) if (now >= issued.expiresAt) this.#tokens.delete(token);
  }
}
