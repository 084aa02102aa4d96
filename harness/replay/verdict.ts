import { packetType, responseCodeFor } from "../protocol/mc/packet-types.ts";
import type { Exchange } from "./exchanges.ts";
import { compareBodies, describeDifference, type FieldRule } from "./match-rules.ts";
import type { RecordedFrame } from "./recording.ts";

/** A frame of the replayed session: its code, body (as sent or received) and clock time. */
export interface ReplayedFrame {
  code: number;
  body: Record<string, unknown>;
  at: number;
}

/** What became of one recorded exchange when it was played again. */
export interface ReplayedExchange {
  exchange: Exchange;
  /** The request as it went out this time (its first send), when it did. */
  request?: ReplayedFrame;
  /** The answer this run got, when one came. */
  answer?: ReplayedFrame;
  /** Why the request was not sent, or why no answer could come (the link closed, the device went offline). */
  note?: string;
}

/** What a replay leaves for the verdict: every exchange in the recording's order, and the run's span. */
export interface ReplayOutcome {
  exchanges: ReplayedExchange[];
  /** Clock time at which the replay's first frame was due, and at which it ended. */
  startedAt: number;
  endedAt: number;
  /** Clock time of the recording that `startedAt` stands for: a recorded frame at `t` was due at startedAt + t - this. */
  recordedStart: number;
  /** Requests from the side under test that the recording does not have. */
  unexpected: ReplayedFrame[];
}

/** One exchange judged: the frames of the side under test, as recorded and as replayed, and what differs. */
export interface ExchangeVerdict {
  status: "pass" | "fail" | "not-applicable";
  title: string;
  /** Line of the recorded request in the evidence file. */
  line: number;
  differences: string[];
  recorded: RecordedFrame[];
  replayed: ReplayedFrame[];
  /** Clock ms from the replay's start to its request: when it went out, or when it was due. */
  atMs: number;
}

export interface JudgeOptions {
  /** Whose frames are compared: the platform's (a device-side replay) or the device's (a platform-side one). */
  underTest: "platform" | "device";
  rules: readonly FieldRule[];
  /** How far an answer's delay may stray from the recorded delay. */
  toleranceMs: number;
}

/**
 * Judges every exchange of a replay by the frames the side under test sent: its answers to the replayer's requests
 * (same code, every field by its rule, delay within the tolerance) and its own requests (same fields).
 */
export function judgeReplay(outcome: ReplayOutcome, options: JudgeOptions): ExchangeVerdict[] {
  return outcome.exchanges.map((r) =>
    r.exchange.request.from === options.underTest
      ? judgeOwnRequest(r, outcome, options)
      : judgeAnswer(r, outcome, options),
  );
}

function judgeAnswer(r: ReplayedExchange, outcome: ReplayOutcome, options: JudgeOptions): ExchangeVerdict {
  const { request, answer } = r.exchange;
  const pair = responseCodeFor(request.code);
  const verdict = base(r, outcome, `${request.code} ${request.name} -> ${pair} ${packetType(pair).name}`);
  verdict.recorded = answer === undefined ? [request] : [request, answer];
  verdict.replayed = [r.request, r.answer].filter((f) => f !== undefined);
  const differences = verdict.differences;
  if (r.answer === undefined) {
    if (answer !== undefined)
      differences.push(
        `no ${answer.code} ${answer.name}: ${r.note ?? "none came"} (recorded after ${request.at === answer.at ? 0 : answer.at - request.at} ms)`,
      );
    else if (r.request === undefined && r.note !== undefined) differences.push(r.note);
    return finish(verdict);
  }
  if (answer === undefined) {
    differences.push(`answered ${r.answer.code} where the recording has no answer`);
    return finish(verdict);
  }
  if (r.answer.code !== answer.code)
    differences.push(`answer code: recorded ${answer.code}, got ${r.answer.code}`);
  else
    differences.push(
      ...compareBodies(answer.code, answer.body, r.answer.body, options.rules).map(describeDifference),
    );
  const recordedDelay = answer.at - request.at;
  const delay = r.answer.at - (r.request?.at ?? r.answer.at);
  if (Math.abs(delay - recordedDelay) > options.toleranceMs)
    differences.push(
      `answered after ${delay} ms, recorded after ${recordedDelay} ms (tolerance ${options.toleranceMs} ms)`,
    );
  return finish(verdict);
}

function judgeOwnRequest(
  r: ReplayedExchange,
  outcome: ReplayOutcome,
  options: JudgeOptions,
): ExchangeVerdict {
  const { request } = r.exchange;
  const verdict = base(r, outcome, `${request.code} ${request.name} (sent by the ${options.underTest})`);
  verdict.recorded = [request];
  if (r.request === undefined) {
    // A platform sends its own requests when an app or API asks: a replay of the device's side cannot cause them.
    if (options.underTest === "platform") {
      verdict.status = "not-applicable";
      verdict.differences.push(
        "a request the platform sent on an app's or API call: not caused by the device's side, and it did not come",
      );
      return verdict;
    }
    verdict.differences.push(r.note ?? `the ${options.underTest} did not send it`);
    return finish(verdict);
  }
  verdict.replayed = [r.request];
  verdict.differences.push(
    ...compareBodies(request.code, request.body, r.request.body, options.rules).map(describeDifference),
  );
  return finish(verdict);
}

function base(r: ReplayedExchange, outcome: ReplayOutcome, what: string): ExchangeVerdict {
  return {
    status: "pass",
    title: `line ${r.exchange.request.line}: ${what}`,
    line: r.exchange.request.line,
    differences: [],
    recorded: [],
    replayed: [],
    atMs:
      r.request === undefined
        ? r.exchange.request.at - outcome.recordedStart
        : r.request.at - outcome.startedAt,
  };
}

function finish(verdict: ExchangeVerdict): ExchangeVerdict {
  verdict.status = verdict.differences.length === 0 ? "pass" : "fail";
  return verdict;
}
