import { type ClauseCheck, expectThat, NotApplicable } from "./clause.ts";
import {
  burst,
  freshNonce,
  notInFormat,
  type PushReply,
  push,
  type SuitePush,
  shownReply,
} from "./push-client.ts";
import type { PushReceiverTarget } from "./push-receiver-target.ts";

/**
 * The suite for a push receiver under test (`000_0e61b4fd1fe27231.txt`, "Message Push"), seen from the sender's side:
 * pushes made with harness/protocol/aqara alone. "In the format" is `abnormalAnswer` (push-answer.ts, `code`): HTTP 200
 * and a JSON object with `code` 0. "Refused" is any answer not in the format.
 */

type Check = ClauseCheck<PushReceiverTarget>;

/** A time well outside any tolerance a receiver may allow (hilfarm's default is 5 minutes). */
const STALE_MS = 60 * 60_000;

function expectInFormat(reply: PushReply, what: string): void {
  const why = notInFormat(reply);
  expectThat(
    why === undefined,
    `${what} answered in the format (HTTP 200, code 0)`,
    `${why}: ${shownReply(reply)}`,
  );
}

function expectRefused(reply: PushReply, what: string): void {
  expectThat(
    notInFormat(reply) !== undefined,
    `${what} refused (not code 0)`,
    `the success ${shownReply(reply)}`,
  );
}

function signingOf(target: PushReceiverTarget) {
  if (target.signing === undefined)
    throw new NotApplicable("signing off: no --app-key and HILFARM_PUSH_APP_SECRET given for the receiver");
  return target.signing;
}

const refusal = (
  clause: string,
  title: string,
  over: (t: PushReceiverTarget) => SuitePush,
  what: string,
): Check => ({
  clause,
  title,
  async run(target) {
    signingOf(target);
    expectRefused(await push(target, over(target)), what);
  },
});

/** The JSON text of a message carrying `text`. */
const dataOf = (text: string) =>
  JSON.stringify({ msgType: "event", deviceId: "conformance", payload: { text } });

export const pushReceiverClauses: readonly Check[] = [
  {
    clause: "P1.1",
    title: "a valid push is answered in the format",
    async run(target) {
      expectInFormat(await push(target), "a valid push");
    },
  },
  refusal(
    "P1.2",
    "a push with a bad sign is refused",
    (t) => ({ appSecret: `${t.signing?.appSecret ?? ""}-not-it` }),
    "a push signed with another secret",
  ),
  refusal(
    "P1.3",
    "a push with a stale time is refused",
    (t) => ({ time: String(t.clock.now() - STALE_MS) }),
    "a push whose time is an hour old",
  ),
  {
    clause: "P1.4",
    title: "a push reusing a nonce is refused",
    async run(target) {
      signingOf(target);
      const nonce = freshNonce();
      expectInFormat(await push(target, { nonce }), "the first push with a nonce");
      expectRefused(await push(target, { nonce }), "a second push with the same nonce");
    },
  },
  refusal(
    "P1.5",
    "a push with an unknown appkey is refused",
    (t) => ({ appKey: `${t.signing?.appKey ?? ""}-unknown` }),
    "a push from an app key the receiver does not know (signed with its secret)",
  ),
  {
    clause: "P1.6",
    title: "a push with 500 KiB of data is answered in the format",
    async run(target) {
      expectInFormat(await push(target, { data: dataOf("x".repeat(500 * 1024)) }), "a push of 500 KiB");
    },
  },
  {
    clause: "P1.7",
    title: "a push with non-ASCII data is answered in the format",
    async run(target) {
      const text = "门锁已打开 · Tür geöffnet · ドア 🔓 — \u00e9\u0301 \u{1F512}";
      expectInFormat(await push(target, { data: dataOf(text) }), "a push of non-ASCII data");
    },
  },
  {
    clause: "P1.8",
    title: "a burst of 50 concurrent pushes is answered in the format, each",
    async run(target) {
      const replies = await burst(target, 50);
      const odd = replies.map((r, i) => [i, r] as const).filter(([, r]) => notInFormat(r) !== undefined);
      expectThat(
        odd.length === 0,
        "50 answers in the format",
        `${odd.length} not: ${odd
          .slice(0, 3)
          .map(([i, r]) => `#${i + 1} ${notInFormat(r)}`)
          .join("; ")}`,
      );
    },
  },
];

/** The clauses of group or clause `only` (`P1`, `P1.3`); all without one. */
export const pushReceiverClausesOf = (only?: string): Check[] =>
  pushReceiverClauses.filter(
    (c) => only === undefined || c.clause === only || c.clause.startsWith(`${only}.`),
  );
