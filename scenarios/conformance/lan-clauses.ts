import type { LanResponse, PostMessage } from "../../harness/protocol/md/messages.ts";
import { mdResultCodes } from "../../harness/protocol/md/result-codes.ts";
import type { LanTarget } from "../target/lan-target.ts";
import { type ClauseCheck, ClauseFailure, expectThat, NotApplicable } from "./clause.ts";
import { lanDiscoveryClauses } from "./lan-discovery-clauses.ts";
import {
  answerAfter,
  answerTo,
  authenticated,
  connect,
  done,
  grant,
  LAN_ANSWER_MS,
  nextMessage,
  pause,
  recordOf,
  type Session,
  sawSince,
  sendUnmatched,
  shown,
  stateOf,
} from "./lan-probe.ts";
import { changeFor, type LanWrite, refusedWrite } from "./lan-values.ts";

/**
 * The LAN (Md) suite for a device under test, clause by clause for 6.2.1-6.2.6, seen from the phone app's side. It runs
 * against an emulated device (virtual time) or a real one on the bench (real time) unchanged; run the clauses in order:
 * the discovery clauses (lan-discovery-clauses.ts) come before any auth, while an unconfigured device is still in its
 * onConfig window.
 */

/** The liveTime the expiry clause asks for (6.2.2), short enough to wait out on a bench. */
const SHORT_LIVE_TIME_S = 5;
/** 5.4.3.2: a change reaches the platform within 10 s. */
const TEN_S = 10_000;
const tableCodes = new Set<number>(Object.values(mdResultCodes));

/** Control clauses do not apply to a device that says it takes no control on the LAN (6.2.1 lanControl 2). */
function controlled(target: LanTarget): void {
  if (recordOf(target).lanControl === 2)
    throw new NotApplicable("the device's discovery answer says lanControl 2: no control on the LAN");
}

/** A writable attribute and a new value for it, from a query on `session`. */
async function plannedChange(target: LanTarget, session: Session): Promise<LanWrite> {
  controlled(target);
  return changeFor(target.model, await stateOf(target, session));
}

const mcText = (value: number | string) => String(value);

/** 6.2.2-6.2.6 and the Mc/Md consistency, over the control port. */
const sessionClauses: readonly ClauseCheck<LanTarget>[] = [
  {
    clause: "6.2.2",
    title: "auth with the lanKey the platform gives for rand is accepted (code 0)",
    run: async (target) => {
      await done(await authenticated(target));
    },
  },
  {
    clause: "6.2.2",
    title: "auth with a wrong lanKey is refused (200003) and the connection closed",
    run: async (target) => {
      const session = await connect(target);
      try {
        const mine = await grant(target);
        const other = await grant(target);
        // A well-formed lanKey, the platform's own, but for another rand.
        const resp = await answerTo(
          target,
          session,
          session.client.authenticate({ rand: mine.rand, lanKey: other.lanKey, liveTime: mine.liveTime }),
          "a resp to the auth",
        );
        expectThat(
          resp.code === mdResultCodes.authFailed,
          `code ${mdResultCodes.authFailed} for a lanKey of another rand`,
          shown(resp),
        );
        const closed = await target.settle(session.client.closed, LAN_ANSWER_MS).then(
          () => true,
          () => false,
        );
        expectThat(closed, "the connection closed after the refusal", `still open ${LAN_ANSWER_MS} ms later`);
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.2",
    title: "the lanKey expires after liveTime: a request past it is refused or the connection closed",
    run: async (target) => {
      const session = await authenticated(target, SHORT_LIVE_TIME_S);
      try {
        await stateOf(target, session);
        await pause(target, (SHORT_LIVE_TIME_S + 1) * 1000);
        if (session.isClosed()) return;
        const from = session.received.length;
        const mid = sendUnmatched(session, (s) => s.client.query());
        const answer = await nextMessage(target, session, from, (m) => m.cmd === "resp", LAN_ANSWER_MS);
        if (session.isClosed() && (answer === undefined || (answer as LanResponse).code !== 0)) return;
        expectThat(
          answer !== undefined && (answer as LanResponse).code !== 0,
          `query ${mid} refused (a non-zero code) or the connection closed, ${SHORT_LIVE_TIME_S + 1} s after an auth with liveTime ${SHORT_LIVE_TIME_S}`,
          answer === undefined ? `no answer, the connection open` : shown(answer),
        );
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.3",
    title: "a query is answered by a resp with the query's mid",
    run: async (target) => {
      const session = await authenticated(target);
      try {
        const from = session.received.length;
        const mid = sendUnmatched(session, (s) => s.client.query());
        const answer = await answerAfter(target, session, from, `a resp with mid ${mid}`);
        expectThat(answer.cmd === "resp" && answer.mid === mid, `a resp with mid ${mid}`, shown(answer));
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.3",
    title:
      "the query's resp has code 0 and the state in as; asc, when present, is 0 or 1 by attribute, asc 0 not in as",
    run: async (target) => {
      const session = await authenticated(target);
      try {
        const from = session.received.length;
        sendUnmatched(session, (s) => s.client.query());
        const resp = await answerAfter(target, session, from, "a resp to a query");
        expectThat(resp.cmd === "resp", "a resp", shown(resp));
        expectThat(resp.code === 0, "code 0", `code ${resp.code} in ${shown(resp)}`);
        const as = resp.as;
        expectThat(
          as !== undefined && Object.keys(as).length > 0,
          "as with the device's attributes",
          shown(resp),
        );
        const hidden = Object.entries(resp.asc ?? {}).filter(([key, c]) => c === 0 && key in as);
        expectThat(
          hidden.length === 0,
          "attributes with asc 0 (no read or write) left out of as",
          hidden.map(([key]) => `attribute ${key} = ${shown(as[key])}`).join(", "),
        );
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.4",
    title: "an opt is answered by a post with the opt's mid, from the device id, carrying the attributes set",
    run: async (target) => {
      const session = await authenticated(target);
      try {
        const write = await plannedChange(target, session);
        const from = session.received.length;
        const mid = sendUnmatched(session, (s) => s.client.control({ [write.attribute]: write.value }));
        const answer = await answerAfter(target, session, from, `a post with mid ${mid}`);
        const post = answer as PostMessage;
        expectThat(
          answer.cmd === "post" &&
            post.mid === mid &&
            post.from === target.deviceId &&
            post.as[write.attribute] === write.value,
          `a post with mid ${mid}, from ${target.deviceId}, as ${shown({ [write.attribute]: write.value })}`,
          shown(answer),
        );
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.4",
    title: "an opt on a read-only or unknown attribute is refused (300002 or 100001) with the opt's mid",
    run: async (target) => {
      const session = await authenticated(target);
      try {
        controlled(target);
        const refused = refusedWrite(await stateOf(target, session));
        const from = session.received.length;
        const mid = sendUnmatched(session, (s) => s.client.control(refused.as));
        const answer = await answerAfter(target, session, from, `a resp with mid ${mid}`);
        const codes: readonly number[] = [mdResultCodes.unsupported, mdResultCodes.badParameters];
        expectThat(
          answer.cmd === "resp" && answer.mid === mid && codes.includes(answer.code),
          `a resp with mid ${mid} and code 300002 or 100001 for ${refused.why}`,
          shown(answer),
        );
      } finally {
        await done(session);
      }
    },
  },
  {
    clause: "6.2.5",
    title: "a change made by another client is posted, without mid, to an authenticated client",
    run: async (target) => {
      const watcher = await authenticated(target);
      const changer = await authenticated(target);
      try {
        const write = await plannedChange(target, changer);
        const from = watcher.received.length;
        sendUnmatched(changer, (s) => s.client.control({ [write.attribute]: write.value }));
        const post = (await nextMessage(target, watcher, from, (m) => m.cmd === "post", LAN_ANSWER_MS)) as
          | PostMessage
          | undefined;
        const expected = `a post without mid, from ${target.deviceId}, as ${shown({ [write.attribute]: write.value })}`;
        expectThat(post !== undefined, expected, sawSince(watcher, from));
        expectThat(
          post.mid === undefined && post.from === target.deviceId && post.as[write.attribute] === write.value,
          expected,
          shown(post),
        );
      } finally {
        await done(watcher, changer);
      }
    },
  },
  {
    clause: "6.2.6",
    title: "every result code the device gave in the run is one of the table's",
    run: async (target) => {
      // At least one answer of its own, when the clause runs alone.
      const session = await authenticated(target);
      try {
        await stateOf(target, session);
      } finally {
        await done(session);
      }
      const strange = recordOf(target).codes.filter(({ code }) => !tableCodes.has(code));
      expectThat(
        strange.length === 0,
        `codes of the 6.2.6 table (${[...tableCodes].join(", ")})`,
        strange.map(({ code, where }) => `${code} in ${where}`).join("; "),
      );
    },
  },
  {
    clause: "6.2.4, 5.4.3.3",
    title:
      "a change made over the LAN reaches the platform over Mc: the platform's state shows it within 10 s",
    run: async (target) => {
      const { mc } = target;
      if (mc === undefined)
        throw new NotApplicable("the device's platform state is not at hand (no Mc view)");
      const session = await authenticated(target);
      try {
        const write = await plannedChange(target, session);
        sendUnmatched(session, (s) => s.client.control({ [write.attribute]: write.value }));
        const want = mcText(write.value);
        let seen: string | undefined;
        const deadline = target.clock.now() + TEN_S;
        while (target.clock.now() <= deadline) {
          seen = (await mc.statuses(target.deviceId))?.[write.serialId]?.[write.status];
          if (seen === want) return;
          await pause(target, 250);
        }
        throw new ClauseFailure(
          `expected ${write.status} (serial ${write.serialId}) = ${want} on ${mc.description} after setting attribute ${write.attribute}; saw ${seen ?? "no such status"}`,
        );
      } finally {
        await done(session);
      }
    },
  },
];

export const lanClauses: readonly ClauseCheck<LanTarget>[] = [...lanDiscoveryClauses, ...sessionClauses];
