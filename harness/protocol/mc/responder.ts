import { type McCode, packetType, type Sender } from "./packet-types.ts";
import { McResult } from "./result-codes.ts";
import type { McMessage } from "./schemas/index.ts";
import { classifySequence, parseSequence, sequenceAfter } from "./sequence.ts";

/**
 * The receiving side of the 5.2 request rule, as a pure state machine (5.2.2 item 5): a request must carry the
 * sequence after the last one accepted from the peer; a repeat of that one is a retransmission, answered again from
 * the stored answer and not acted on twice; any other sequence is out of order. `A` is the stored answer, kept as
 * the caller sent it (its frame): the state machine never looks inside.
 */
export interface Responder<A> {
  /** The side whose requests these are. */
  readonly peer: Sender;
  /** Sequence of the last request accepted from the peer; undefined until the first. */
  readonly last: number | undefined;
  /** The voice segment (`sn`) the last accepted request carried: segments share one sequence (5.4.3.17). */
  readonly segment: number | undefined;
  /** The answer to the last accepted request; undefined while it is still being worked out. */
  readonly answer: A | undefined;
}

export interface IncomingRequest {
  code: McCode;
  sequence: number;
  /** A voice control segment's `sn` (3002): a new `sn` under the last sequence is the next segment (5.4.3.17). */
  segment?: number;
}

/** A decoded request as the responder sees it: a voice control segment (3002) carries its `sn` (5.4.3.17). */
export function incomingRequest(message: McMessage): IncomingRequest {
  const sequence = parseSequence(message.body.sequence);
  const segment = message.code === 3002 ? message.body.ctrlParam.sn : undefined;
  return segment === undefined ? { code: message.code, sequence } : { code: message.code, sequence, segment };
}

export type ResponderDecision<A> =
  /** Accept as new: act on it once, answer it, and record the answer with `answered`. */
  | { kind: "new"; sequence: number }
  /** Answer again from the store, without acting on it; `answer` is undefined while the first answer is not sent. */
  | { kind: "retransmission"; answer: A | undefined }
  /**
   * Not the sequence expected: the platform answers `result` 100001 naming the expected one, the device logs in
   * again (5.2.2 item 5). Nothing is recorded.
   */
  | { kind: "out-of-order"; expected: number; result: typeof McResult.InvalidParameter; dscp: string };

export interface ResponderStep<A> {
  state: Responder<A>;
  decision: ResponderDecision<A>;
}

/** `last` and its `answer`: the platform's session starts from the connect (1004) and its 1005. */
export function responder<A>(peer: Sender, last?: number, answer?: A): Responder<A> {
  return { peer, last, segment: undefined, answer };
}

export function receiveRequest<A>(state: Responder<A>, request: IncomingRequest): ResponderStep<A> {
  const type = packetType(request.code);
  if (type.role !== "request" || type.sender !== state.peer)
    throw new RangeError(`code ${request.code} (${type.name}) is not a ${state.peer} request`);
  const verdict = classifySequence(state.last, request.sequence);
  const nextSegment =
    verdict === "retransmission" && request.segment !== undefined && request.segment !== state.segment;
  if (verdict === "retransmission" && !nextSegment)
    return { state, decision: { kind: "retransmission", answer: state.answer } };
  if (verdict === "out-of-order") {
    const expected = sequenceAfter(state.last ?? 0);
    return {
      state,
      decision: {
        kind: "out-of-order",
        expected,
        result: McResult.InvalidParameter,
        dscp: sequenceErrorDscp(expected),
      },
    };
  }
  return {
    state: { peer: state.peer, last: request.sequence, segment: request.segment, answer: undefined },
    decision: { kind: "new", sequence: request.sequence },
  };
}

/** The answer to the request accepted with `sequence` was sent: kept for its retransmissions, unless a newer one came. */
export function answered<A>(state: Responder<A>, sequence: number, answer: A): Responder<A> {
  return state.last === sequence
    ? { peer: state.peer, last: state.last, segment: state.segment, answer }
    : state;
}

const sequenceErrorText = "expected sequence";

/** The `dscp` of a sequence error: the platform names the sequence it expected. */
export function sequenceErrorDscp(expected: number): string {
  return `${sequenceErrorText} ${expected}`;
}

/** Whether an answer to one's own request reports that the peer saw its sequence out of order (5.2.2 item 5). */
export function isSequenceErrorAnswer(body: { result: number; dscp?: unknown }): boolean {
  return (
    body.result === McResult.InvalidParameter &&
    typeof body.dscp === "string" &&
    body.dscp.startsWith(sequenceErrorText)
  );
}
