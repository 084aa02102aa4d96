import { lockApiErrors } from "../../harness/protocol/lock-api/errors.ts";
import { pause } from "./c-probe.ts";
import { expectThat, NotApplicable } from "./clause.ts";
import type { LockClause } from "./lock-api-clause.ts";
import {
  call,
  expectRefusal,
  expectSuccess,
  keepToken,
  type LockAnswer,
  type LockRequest,
  runOf,
  send,
} from "./lock-api-client.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L1, tokens and signing (the seed is silent on both: the readings of signing.ts and token.ts, which follow the
 * vendor's cloud and its SDK): the grant and the refresh, the refusals of a wrong signature, a stale `t`, an unknown
 * client, an invalid and an expired token, and the envelope every answer comes in.
 */

const codes = {
  sign: lockApiErrors.signInvalid.code,
  staleT: lockApiErrors.requestTimeInvalid.code,
  client: lockApiErrors.clientIdInvalid.code,
  expired: lockApiErrors.tokenExpired.code,
  invalid: lockApiErrors.tokenInvalid.code,
};

/** A lock that lists temporary passwords, if the target names one. */
const someLock = (target: LockApiTarget) =>
  target.locks.wifi ?? target.locks.zigbee ?? target.locks["zigbee-hotel"];

const grant: LockRequest = { method: "GET", path: "/v1.0/token", query: { grant_type: 1 }, token: null };

/** A call that needs a token, with `token`: the list of a lock's passwords, or of a device nobody has. */
function withToken(target: LockApiTarget, token?: string): Promise<LockAnswer> {
  const device = someLock(target) ?? "hilfarmnosuchdevice0";
  return call(target, "listTempPasswords", { device_id: device }, token === undefined ? {} : { token });
}

/** `token` is accepted: the call succeeds (or, with no lock named, is refused for anything but its token). */
async function expectAccepted(target: LockApiTarget, token: string | undefined, what: string): Promise<void> {
  const answer = await withToken(target, token);
  if (someLock(target) !== undefined) {
    expectSuccess(answer, `a call with ${what}`);
    return;
  }
  const tokenCodes = [1002, codes.expired, codes.invalid, lockApiErrors.tokenStatusInvalid.code];
  expectThat(
    answer.envelope.success || !tokenCodes.includes(answer.envelope.code),
    `a call with ${what} not refused for its token`,
    JSON.stringify({ code: answer.envelope.success ? undefined : answer.envelope.code }),
  );
}

/** Real time: a token is waited out only when it lives this long or less. */
export const REAL_TOKEN_WAIT_MS = 120_000;
/** After `expire_time`: the margin before the token must read expired (clocks and the network on real time). */
const EXPIRY_MARGIN_MS = { virtual: 1_000, real: 5_000 };

export const tokenClauses: readonly LockClause[] = [
  {
    clause: "L1.1",
    endpoints: [],
    title: "token: GET /v1.0/token?grant_type=1 answers access_token, expire_time, refresh_token, uid",
    run: async (target) => {
      keepToken(target, expectSuccess(await send(target, grant), "the token grant"));
      await expectAccepted(target, undefined, "the granted access_token");
    },
  },
  {
    clause: "L1.2",
    endpoints: [],
    title: "token: GET /v1.0/token/{refresh_token} answers a new pair, whose access_token is accepted",
    run: async (target) => {
      const { token } = runOf(target);
      if (token === undefined) throw new NotApplicable("no token was granted (L1.1)");
      const answer = await send(target, { method: "GET", path: `/v1.0/token/${token.refresh}`, token: null });
      keepToken(target, expectSuccess(answer, "the token refresh"));
      await expectAccepted(target, undefined, "the refreshed access_token");
    },
  },
  {
    clause: "L1.3",
    endpoints: [],
    title: `signing: a request signed with another secret is refused ${codes.sign} (sign invalid)`,
    run: async (target) => {
      const other = [...target.secret].reverse().join("");
      expectRefusal(await send(target, { ...grant, secret: other }), codes.sign, "a wrong sign");
      expectRefusal(
        await send(target, {
          method: "GET",
          path: "/v1.0/token",
          query: { grant_type: 1 },
          token: null,
          sign: "0".repeat(64),
        }),
        codes.sign,
        "a sign of zeros",
      );
    },
  },
  {
    clause: "L1.4",
    endpoints: [],
    title: `signing: a request whose t is a day old is refused ${codes.staleT} (request time is invalid)`,
    run: async (target) => {
      const t = target.clock.now() - 24 * 3_600_000;
      expectRefusal(await send(target, { ...grant, t }), codes.staleT, "t a day old");
    },
  },
  {
    clause: "L1.5",
    endpoints: [],
    title: `signing: a client_id the target never issued is refused ${codes.client} (clientId invalid)`,
    run: async (target) => {
      expectRefusal(
        await send(target, { ...grant, clientId: `${target.clientId}x` }),
        codes.client,
        "an unknown client_id",
      );
    },
  },
  {
    clause: "L1.6",
    endpoints: ["listTempPasswords"],
    title: `token: an access_token the target never issued is refused ${codes.invalid} (token invalid)`,
    run: async (target) => {
      const forged = Array.from({ length: 32 }, () => "0123456789abcdef"[target.random.int(0, 15)]).join("");
      expectRefusal(await withToken(target, forged), codes.invalid, "a forged access_token");
    },
  },
  {
    clause: "L1.7",
    endpoints: [],
    title: "envelope: success and refusal alike are HTTP 200 with success and t, then result or code and msg",
    run: async (target) => {
      const answers = [
        await send(target, grant),
        await send(target, { ...grant, clientId: `${target.clientId}x` }),
      ];
      for (const { envelope } of answers) {
        const drift = Math.abs(envelope.t - target.clock.now());
        expectThat(
          drift <= 600_000,
          "t within 10 minutes of the suite's time (milliseconds)",
          `t ${envelope.t}`,
        );
      }
      expectThat(answers[0]?.envelope.success === true, "a success for the grant", "a refusal");
      expectThat(answers[1]?.envelope.success === false, "a refusal for the unknown client", "a success");
    },
  },
  {
    clause: "L1.8",
    endpoints: ["listTempPasswords"],
    title: `token: once its expire_time has passed the access_token is refused ${codes.expired} (token is expired), and a refresh gives a working one`,
    run: async (target) => {
      const { token } = runOf(target);
      if (token === undefined) throw new NotApplicable("no token was granted (L1.1)");
      const virtual = target.capabilities.has("virtual-time");
      const lifeMs = token.expireTime * 1000;
      if (!virtual && lifeMs > REAL_TOKEN_WAIT_MS)
        throw new NotApplicable(
          `the token lives ${token.expireTime} s: on real time the suite waits out tokens of ${REAL_TOKEN_WAIT_MS / 1000} s at most`,
        );
      const margin = virtual ? EXPIRY_MARGIN_MS.virtual : EXPIRY_MARGIN_MS.real;
      await pause(target, Math.max(0, token.at + lifeMs + margin - target.clock.now()));
      expectRefusal(
        await withToken(target, token.access),
        codes.expired,
        "an access_token past its expire_time",
      );
      const answer = await send(target, { method: "GET", path: `/v1.0/token/${token.refresh}`, token: null });
      keepToken(target, expectSuccess(answer, "the refresh after expiry"));
      await expectAccepted(target, undefined, "the access_token refreshed after expiry");
    },
  },
];
