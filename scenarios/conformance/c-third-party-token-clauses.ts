import { ThirdPartyClient } from "../../emulators/interop/third-party-client.ts";
import { type CTransport, tlsTransport } from "../../emulators/interop/transport.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { cInterfaceAt, cInterfaces } from "../../harness/protocol/c/index.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import {
  C_ANSWER_MS,
  expectCode,
  expectExpiry,
  pause,
  post,
  sequenceNo,
  shownC,
  waitable,
} from "./c-probe.ts";
import { bound, call, newToken, runOf, tokenBody } from "./c-third-party-probe.ts";
import type { CThirdPartyTarget } from "./c-third-party-target.ts";
import { type ClauseCheck, ClauseFailure, expectThat } from "./clause.ts";

/**
 * The token and timing clauses of the C21-C31 suite (7.3.2.1, 7.3.2.12): what `expiredAt` promises, renewal after an
 * expired token as hilfarm's own client does it, and answers within the time a smart-home platform waits.
 */

/** 7.3.2.1: `expiredAt` is a timestamp in ms; a token that lives past a year is read as a misread unit. */
const YEAR_MS = 366 * 86_400_000;
/** `clock` as seen by a platform whose clock runs `lagMs` behind: it keeps a token the third party has expired. */
function lagging(clock: Clock, lagMs: number): Clock {
  return {
    now: () => clock.now() - lagMs,
    setTimeout: (callback, delayMs, name) => clock.setTimeout(callback, delayMs, name),
    setInterval: (callback, periodMs, name) => clock.setInterval(callback, periodMs, name),
    realWork: (name, work) => clock.realWork(name, work),
  };
}

export const tokenIssueClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.3.2.1",
    title:
      "C21 with the exchanged cloudId and cloudKey gives a token as the table says, expiredAt in the future in ms",
    run: async (target) => {
      const sentAt = target.clock.now();
      const { expiredAt } = await newToken(target);
      expectThat(
        expiredAt > sentAt && expiredAt <= sentAt + YEAR_MS,
        `expiredAt after now (${sentAt} ms) and within a year of it`,
        `expiredAt ${expiredAt}`,
      );
    },
  },
  {
    clause: "7.3.2.1",
    title: "a C21 token lives long enough to be used (expiredAt at least the suite's minimum ahead)",
    run: async (target) => {
      const sentAt = target.clock.now();
      const { expiredAt } = await newToken(target);
      expectThat(
        expiredAt - sentAt >= target.minTokenLifetimeMs,
        `a token living at least ${target.minTokenLifetimeMs} ms (a shorter one needs a C21 before nearly every call)`,
        `expiredAt ${expiredAt - sentAt} ms after the request`,
      );
    },
  },
];

function refusedToken(json: Record<string, unknown>, what: string): void {
  expectThat(
    typeof json.code === "number" && json.code !== 0 && json.access_token === undefined,
    `a failure code and no access_token for ${what}`,
    shownC(json),
  );
}

export const tokenRefusalClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.3.2.1",
    title: "C21 with a wrong cloudKey gives no token",
    run: async (target) => {
      const answer = await post(target, "C21", tokenBody(target, { cloudKey: `${target.cloudKey}-wrong` }));
      refusedToken(answer.json, "a wrong cloudKey");
    },
  },
  {
    clause: "7.3.2.1",
    title: "C21 with an unknown cloudId gives no token",
    run: async (target) => {
      const answer = await post(target, "C21", tokenBody(target, { cloudId: `${target.cloudId}-unknown` }));
      refusedToken(answer.json, "an unknown cloudId");
    },
  },
];

export const answerTimeClause: ClauseCheck<CThirdPartyTarget> = {
  clause: "7.3.2.12",
  title: "C21 and C26 are answered within the time a smart-home platform waits",
  run: async (target) => {
    const maxMs = target.answerMs;
    try {
      await post(target, "C21", tokenBody(target), { maxMs });
    } finally {
      // That C21, answered or not, may have replaced the run's token (one live token per platform, hilfarm's reading).
      runOf(target).token = undefined;
    }
    await call(target, "C26", { deviceSN: target.deviceSN }, maxMs);
  },
};

export const expiryClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.3.2.1",
    title: "a token is accepted until its expiredAt and answered 1001 from then on",
    run: async (target) => {
      await bound(target, target.deviceSN);
      const sentAt = target.clock.now();
      const { access_token, expiredAt } = await newToken(target);
      const ask = () =>
        post(target, "C26", { access_token, sequenceNo: sequenceNo(target), deviceSN: target.deviceSN });
      await expectExpiry(target, sentAt, expiredAt, ask, "C26 with the token");
      runOf(target).token = undefined;
    },
  },
  {
    clause: "7.3.2.12",
    title:
      "a call with an expired token is answered 1001, and hilfarm's client renews it with C21 and succeeds",
    run: async (target) => {
      await bound(target, target.deviceSN);
      const exchanges: string[] = [];
      const tls = tlsTransport(target.client);
      const recording: CTransport = async (url, request) => {
        const answer = await tls(url, request);
        const json = parseJsonSafely(answer.body);
        const code = json.ok ? (json.value as { code?: unknown }).code : "no JSON";
        exchanges.push(`${cInterfaceAt(new URL(url).pathname) ?? url}:${String(code)}`);
        return answer;
      };
      const sentAt = target.clock.now();
      const { expiredAt } = await newToken(target);
      const lifetime = expiredAt - sentAt;
      waitable(target, lifetime);
      // A smart-home platform whose clock runs a token's lifetime behind still holds the token when it expires.
      const client = new ThirdPartyClient({
        baseUrl: target.url,
        cloudId: target.cloudId,
        cloudKey: target.cloudKey,
        transport: recording,
        clock: lagging(target.clock, lifetime),
        random: target.random,
        timeoutMs: C_ANSWER_MS,
      });
      const ask = async () => {
        try {
          return await target.settle(client.call("C26", { deviceSN: target.deviceSN }), C_ANSWER_MS * 3);
        } catch (error) {
          throw new ClauseFailure(
            `expected hilfarm's client to get an answer to C26; saw ${error instanceof Error ? error.message : String(error)} (exchanges ${exchanges.join(", ")})`,
          );
        }
      };
      expectCode({ status: 200, json: await ask() }, 0, "C26 through hilfarm's client with a new token");
      await pause(target, lifetime);
      const renewed = await ask();
      // The client's C21 has replaced the run's token.
      runOf(target).token = undefined;
      expectThat(
        renewed.code === 0 && exchanges.slice(-3).join(",") === "C26:1001,C21:0,C26:0",
        `C26 answered 1001 with the expired token, then C21 and C26 answered 0 (${cInterfaces.C26.path})`,
        `exchanges ${exchanges.join(", ")}`,
      );
    },
  },
];
