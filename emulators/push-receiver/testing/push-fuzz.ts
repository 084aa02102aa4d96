import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { type Clock, RealClock } from "../../../harness/clock/index.ts";
import { abnormalAnswer, PushBodySchema, pushBody, signPush } from "../../../harness/protocol/aqara/index.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import {
  hostilePushRequests,
  type PushFuzzFrame,
  type PushSigning,
  REUSED_PUSH_NONCE,
} from "./push-fuzz-requests.ts";
import { type FuzzAnswer, httpExchange, rawExchange } from "./push-fuzz-wire.ts";

/**
 * The live fuzz of a message-push receiver (`hilfarm push receive`, or one in this process): hostile requests of
 * push-fuzz-requests.ts over real sockets, while a legitimate sender keeps pushing. It fails when the receiver stops,
 * answers with a server error, answers HTTP 200 outside the format, takes a hostile request for a push (the documented
 * success to anything but a truly signed push with a push's body: a replay, a reused nonce, a stale time, a forged
 * sign), or answers one of the legitimate sender's pushes otherwise than with the success. Used by
 * emulators/push-receiver/push-fuzz.test.ts and bench/fuzz.ts.
 */

export interface PushFuzzTarget {
  readonly kind: "in-process" | "child";
  /** Where pushes go: `http://host:port/path`. */
  readonly url: string;
  /** The receiver checks signatures with these; the fuzz signs with them as a sender gone wrong would. */
  readonly signing: { appKey: string; appSecret: string };
  crashed(): string | undefined;
  rssBytes(): number | undefined;
  /** Bytes of records written so far, where they can be measured. */
  recordBytes(): number | undefined;
  close(): Promise<void>;
}

export interface PushFuzzReport {
  seed: number;
  sent: number;
  wallMs: number;
  framesPerSecond: number;
  bySigning: Partial<Record<PushSigning, number>>;
  byStatus: Record<string, number>;
  /** The envelope's `code` of HTTP 200 answers. */
  byCode: Record<string, number>;
  /** Hostile requests that were truly signed pushes and were answered with the success (allowed). */
  accepted: number;
  notSent: number;
  noAnswer: number;
  /** At most 20, each naming the request. */
  failures: string[];
  crash: string | undefined;
  /** The last requests sent before the end (a crash's suspects). */
  suspects: string[];
  legit: { sent: number; answered: number; lost: string[] };
  rss: { startMb: number | undefined; endMb: number | undefined };
  recordBytes: number | undefined;
}

export interface PushFuzzOptions {
  target: PushFuzzTarget;
  frames: number;
  seed: number;
  deadlineMs: number;
  /** A legitimate push after every this many frames. */
  checkEvery?: number;
  concurrency?: number;
  maxDepth?: number;
  clock?: Clock;
  progress?: (sent: number) => void;
}

const ANSWER_MS = 5000;
const STALE_MS = 3_600_000;
const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : Math.round(bytes / 2 ** 20));

interface Signed {
  headers: Record<string, string>;
  body: Buffer;
}

/** A true push's headers at `now` (with `nonce`, fresh by default). */
function signedHeaders(target: PushFuzzTarget, now: number, nonce = randomBytes(16).toString("hex")) {
  const { appKey, appSecret } = target.signing;
  const time = String(now);
  return {
    "content-type": "application/json",
    time,
    nonce,
    appkey: appKey,
    sign: signPush({ appkey: appKey, nonce, time }, appSecret),
  };
}

/** Whether the body, read as the seed's JSON, is a push. */
const isPush = (body: Buffer) => {
  const json = parseJsonSafely(body.toString("utf8"));
  return json.ok && PushBodySchema.safeParse(json.value).success;
};

/** A request as a failure or a suspect shows it: how it was signed, its request line, the start of its body. */
function shownFrame(frame: PushFuzzFrame, body = frame.body): string {
  const start = JSON.stringify(body.subarray(0, 60).toString("latin1"));
  return `${frame.signing} ${frame.method} ${frame.target.slice(0, 40)} (${body.length} bytes: ${start})`;
}

export async function runPushFuzz(options: PushFuzzOptions): Promise<PushFuzzReport> {
  const { target, seed } = options;
  const clock = options.clock ?? new RealClock();
  const checkEvery = options.checkEvery ?? 250;
  const concurrency = options.concurrency ?? 16;
  const url = new URL(target.url);
  const started = performance.now();
  const report: PushFuzzReport = {
    seed,
    sent: 0,
    wallMs: 0,
    framesPerSecond: 0,
    bySigning: {},
    byStatus: {},
    byCode: {},
    accepted: 0,
    notSent: 0,
    noAnswer: 0,
    failures: [],
    crash: undefined,
    suspects: [],
    legit: { sent: 0, answered: 0, lost: [] },
    rss: { startMb: mb(target.rssBytes()), endMb: undefined },
    recordBytes: undefined,
  };
  const fail = (what: string) => {
    if (report.failures.length < 20) report.failures.push(what);
  };
  let lastLegit: Signed | undefined;
  let reusedPassed = 0;

  const legitPush = async () => {
    const body = Buffer.from(JSON.stringify(pushBody(["hilfarm-fuzz-app"], `legit ${report.legit.sent}`)));
    const signed = { headers: signedHeaders(target, clock.now()), body };
    report.legit.sent++;
    const answer = await httpExchange(url, url.pathname, "POST", signed.headers, body, clock, ANSWER_MS);
    const wrong =
      answer === undefined || answer === "not-sent"
        ? "no answer"
        : abnormalAnswer(answer.status, answer.text);
    if (wrong === undefined) report.legit.answered++;
    else if (report.legit.lost.length < 10) report.legit.lost.push(`push ${report.legit.sent}: ${wrong}`);
    lastLegit = signed;
  };

  /** The request `frame` stands for, as sent now: headers and body, or undefined when there is none yet. */
  const requestOf = (frame: PushFuzzFrame): Signed | undefined => {
    const now = clock.now();
    switch (frame.signing) {
      case "none":
      case "garbage":
        return { headers: { "content-type": "application/json", ...frame.headers }, body: frame.body };
      case "forged": {
        const wrongSecret = frame.headers.sign === "WRONG-SECRET";
        const headers = signedHeaders(target, now);
        if (wrongSecret)
          headers.sign = signPush(
            { appkey: headers.appkey, nonce: headers.nonce, time: headers.time },
            "not-it",
          );
        return { headers: wrongSecret ? headers : { ...headers, ...frame.headers }, body: frame.body };
      }
      case "stale":
        return { headers: signedHeaders(target, now - STALE_MS), body: frame.body };
      case "reused":
        return { headers: signedHeaders(target, now, REUSED_PUSH_NONCE), body: frame.body };
      case "replayed":
        return lastLegit;
      default:
        return { headers: signedHeaders(target, now), body: frame.body };
    }
  };

  const judge = (frame: PushFuzzFrame, sent: Signed, answer: FuzzAnswer) => {
    const shown = shownFrame(frame, sent.body);
    report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
    if (answer.status >= 500) return fail(`${shown}: HTTP ${answer.status}`);
    if (answer.status !== 200) return;
    const json = parseJsonSafely(answer.text);
    const code = json.ok ? (json.value as { code?: unknown } | null)?.code : undefined;
    if (typeof code !== "number") return fail(`${shown}: HTTP 200 outside the format`);
    report.byCode[code] = (report.byCode[code] ?? 0) + 1;
    if (abnormalAnswer(answer.status, answer.text) !== undefined) return;
    const path = frame.target.split("?")[0];
    const truePush = frame.method === "POST" && path === "/" && isPush(sent.body);
    const allowed =
      truePush && (frame.signing === "signed" || (frame.signing === "reused" && reusedPassed++ === 0));
    if (allowed) report.accepted++;
    else fail(`${shown}: taken for a push (the documented success)`);
  };

  const sendFrame = async (frame: PushFuzzFrame) => {
    if (frame.signing === "raw") {
      const status = await rawExchange(url.hostname, Number(url.port), frame.body, clock, ANSWER_MS);
      report.byStatus[`raw ${status}`] = (report.byStatus[`raw ${status}`] ?? 0) + 1;
      if (status >= 500) fail(`${shownFrame(frame)}: HTTP ${status}`);
      return;
    }
    const sent = requestOf(frame);
    if (sent === undefined) {
      report.notSent++;
      return;
    }
    // The receiver's own path stands for "/"; odd targets go as they are.
    const path =
      frame.target.startsWith("/?") || frame.target === "/"
        ? url.pathname + frame.target.slice(1)
        : frame.target;
    const answer = await httpExchange(url, path, frame.method, sent.headers, sent.body, clock, ANSWER_MS);
    if (answer === "not-sent") report.notSent++;
    else if (answer === undefined) report.noAnswer++;
    else judge(frame, sent, answer);
  };

  const inFlight = new Set<Promise<void>>();
  try {
    await legitPush();
    let batch = 0;
    const deadline = started + options.deadlineMs;
    outer: while (report.sent < options.frames && performance.now() < deadline) {
      const frames = fc.sample(hostilePushRequests(options.maxDepth ?? 10_000), {
        seed: seed + batch,
        numRuns: 64,
      });
      batch += 64;
      for (const frame of frames) {
        if (report.sent >= options.frames || target.crashed() !== undefined) break outer;
        report.bySigning[frame.signing] = (report.bySigning[frame.signing] ?? 0) + 1;
        report.suspects.push(shownFrame(frame));
        if (report.suspects.length > 8) report.suspects.shift();
        const sending = sendFrame(frame).finally(() => inFlight.delete(sending));
        inFlight.add(sending);
        report.sent++;
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (report.sent % checkEvery === 0) {
          await legitPush();
          options.progress?.(report.sent);
        }
      }
    }
    await Promise.all(inFlight);
    if (target.crashed() === undefined) await legitPush();
  } finally {
    report.crash = target.crashed();
    report.rss.endMb = mb(target.rssBytes());
    report.recordBytes = target.recordBytes();
    report.wallMs = Math.round(performance.now() - started);
    report.framesPerSecond = Math.round((report.sent * 1000) / Math.max(1, report.wallMs));
  }
  return report;
}

/** Whether the run held: no crash, no failure, every legitimate push answered with the success. */
export function pushFuzzHeld(report: PushFuzzReport): boolean {
  return (
    report.crash === undefined &&
    report.failures.length === 0 &&
    report.legit.sent > 0 &&
    report.legit.answered === report.legit.sent
  );
}
