import type { PushRecord } from "../../emulators/push-receiver/index.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { verifyPushSign } from "../../harness/protocol/aqara/index.ts";
import { pause } from "./c-probe.ts";
import { type ClauseCheck, ClauseFailure, expectThat, NotApplicable } from "./clause.ts";
import { ABNORMAL_LIMIT, type PushSenderTarget } from "./push-sender-target.ts";

/**
 * The suite for a push sender under test (`000_0e61b4fd1fe27231.txt`, "Message Push"), seen from the receiver's side:
 * the pushes it makes when triggered, checked against harness/protocol/aqara, and its stop after the receiver's
 * abnormal answers (the receiver's `abnormal` switch).
 */

type Check = ClauseCheck<PushSenderTarget>;

/** How long a push may take to arrive after its trigger, and how long the suite watches for pushes that should not come. */
const ARRIVE_MS = 15_000;
const WATCH_MS = 60_000;
/** `time` within this of the receiver's clock. */
const CLOSE_MS = 60_000;

async function waitFor(target: PushSenderTarget, done: () => boolean, what: string): Promise<void> {
  const { clock } = target;
  if (clock instanceof VirtualClock) {
    try {
      await clock.runUntil(done, { maxMs: ARRIVE_MS });
    } catch {
      /* judged below */
    }
  } else for (let waited = 0; !done() && waited < ARRIVE_MS; waited += 100) await pause(target, 100);
  if (!done())
    throw new ClauseFailure(
      `expected ${what} within ${ARRIVE_MS} ms; saw ${target.records.length} pushes in all`,
    );
}

/** Triggers `n` changes and waits for their pushes. */
async function pushes(target: PushSenderTarget, n: number): Promise<PushRecord[]> {
  const from = target.records.length;
  for (let i = 0; i < n; i++) await target.trigger();
  await waitFor(target, () => target.records.length >= from + n, `${n} pushes`);
  return target.records.slice(from, from + n);
}

const header = (r: PushRecord, name: string) => r.headers[name];
const seq = (r: PushRecord) => `push #${r.seq}`;

export const pushSenderClauses: readonly Check[] = [
  {
    clause: "P2.1",
    title: "each push has headers time (ms, close to now) and nonce, the nonces unique",
    async run(target) {
      const got = await pushes(target, 3);
      for (const r of got) {
        const time = header(r, "time") ?? "";
        expectThat(/^\d{1,16}$/.test(time), `${seq(r)}: header time in ms`, JSON.stringify(time));
        const off = Math.abs(Number(time) - r.receivedAt);
        expectThat(
          off <= CLOSE_MS,
          `${seq(r)}: time within ${CLOSE_MS} ms of the receiver's clock`,
          `${off} ms off`,
        );
        expectThat((header(r, "nonce") ?? "") !== "", `${seq(r)}: header nonce`, "none");
      }
      const nonces = new Set(target.records.map((r) => header(r, "nonce")));
      expectThat(
        nonces.size === target.records.length,
        "a new nonce on every push",
        `${nonces.size} nonces in ${target.records.length} pushes`,
      );
    },
  },
  {
    clause: "P2.2",
    title: "with signing, appkey is the app's and sign verifies",
    async run(target) {
      const { signing } = target;
      if (signing === undefined)
        throw new NotApplicable("the sender under test was given no app key and secret");
      for (const r of await pushes(target, 2)) {
        const appkey = header(r, "appkey") ?? "";
        expectThat(
          appkey === signing.appKey,
          `${seq(r)}: appkey the app's key`,
          appkey === "" ? "none" : "another key",
        );
        const signed = { appkey, nonce: header(r, "nonce") ?? "", time: header(r, "time") ?? "" };
        expectThat(
          verifyPushSign(signed, header(r, "sign") ?? "", signing.appSecret),
          `${seq(r)}: sign the MD5 of appkey, nonce, time and the secret`,
          "a sign that does not verify",
        );
      }
    },
  },
  {
    clause: "P2.3",
    title: "the body is exactly {token, data}, token the configured client ids",
    async run(target) {
      for (const r of await pushes(target, 2)) {
        expectThat(
          r.body !== undefined,
          `${seq(r)}: a body of token and data only`,
          JSON.stringify(r.bodyExcerpt ?? ""),
        );
        const ids = (r.clientIds ?? []).join(",");
        expectThat(
          ids === target.clientIds.join(","),
          `${seq(r)}: token ${JSON.stringify(target.clientIds.join(","))}`,
          JSON.stringify(ids),
        );
      }
    },
  },
  {
    clause: "P2.4",
    title: "data is a String (the JSON text of one message)",
    async run(target) {
      for (const r of await pushes(target, 2)) {
        const data = r.body?.data;
        expectThat(typeof data === "string", `${seq(r)}: data a String`, JSON.stringify(r.bodyExcerpt ?? ""));
        let message: unknown;
        try {
          message = JSON.parse(data);
        } catch {
          message = undefined;
        }
        expectThat(
          typeof message === "object" && message !== null && !Array.isArray(message),
          `${seq(r)}: data the JSON text of an object`,
          JSON.stringify(data.slice(0, 80)),
        );
      }
    },
  },
  {
    clause: "P2.5",
    title: `after ${ABNORMAL_LIMIT} abnormal answers in a row the sender sends no more`,
    async run(target) {
      target.receiver.misbehave({ abnormal: true });
      try {
        const from = target.records.length;
        await pushes(target, ABNORMAL_LIMIT);
        for (let i = 0; i < 3; i++) {
          await target.trigger();
          await pause(target, WATCH_MS / 3);
        }
        const more = target.records.length - from - ABNORMAL_LIMIT;
        expectThat(
          more === 0,
          `no push after ${ABNORMAL_LIMIT} abnormal answers (watched ${WATCH_MS} ms, 3 changes)`,
          `${more} more`,
        );
      } finally {
        target.receiver.misbehave({ abnormal: false });
      }
    },
  },
  {
    clause: "P2.6",
    title: "after a resume the sender pushes again",
    async run(target) {
      if (target.resume === undefined)
        throw new NotApplicable("no way to resume the sender under test (hilfarm's only)");
      await target.resume();
      await pushes(target, 1);
    },
  },
];

/** The clauses of group or clause `only` (`P2`, `P2.5`); all without one. */
export const pushSenderClausesOf = (only?: string): Check[] =>
  pushSenderClauses.filter((c) => only === undefined || c.clause === only || c.clause.startsWith(`${only}.`));
