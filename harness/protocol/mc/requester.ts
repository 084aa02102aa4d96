import { type McCode, packetType, responseCodeFor, type Sender } from "./packet-types.ts";
import { SEQUENCE_MODULUS, sequenceAfter } from "./sequence.ts";
import type { RequestTiming } from "./timing.ts";

/**
 * The sending side of the 5.2 request rule, as a pure state machine: one request in flight, a request not answered
 * within the response timeout is sent again with the same sequence, and the sender gives up after the third failed
 * send. Time comes in with the events; the caller owns the sockets and the timers, and arms one timer for each
 * `deadline` it is given. `P` is what the caller keeps with a request (who waits for its answer, its frame): the
 * state machine never looks inside it, and hands it back with every action about that request.
 */
export interface Requester<P> {
  /** Whose requests these are: a request code sent by the other side is a caller's mistake. */
  readonly sender: Sender;
  readonly timing: RequestTiming;
  /** The side's sequence counter, the last sequence a request took (5.2.2 item 5); undefined before the first. */
  readonly sequence: number | undefined;
  readonly inFlight: InFlight<P> | undefined;
}

/** The request sent and neither answered nor given up. */
export interface InFlight<P> {
  readonly code: McCode;
  /** As it went on the wire; every resend carries it again (5.2). */
  readonly sequence: number;
  /** Sends so far, the first included. */
  readonly sends: number;
  /** When the current send counts as failed. */
  readonly deadline: number;
  readonly payload: P;
}

/**
 * Which sequence a new request takes: `next` is the counter + 1 (65535 is followed by 0); `same` is the counter
 * itself (voice segments after the first share the first's, 5.4.3.17); `{ start }` sets the counter to a new random
 * value and takes it (the device's connect, the platform's first request of a session).
 */
export type SequenceTake = "next" | "same" | { start: number };

export type RequesterEvent<P> =
  /** Send a new request. `offBy` is a fault switch: it goes out that far from its sequence, the counter unmoved. */
  | { kind: "send"; code: McCode; now: number; take: SequenceTake; payload: P; offBy?: number }
  | { kind: "response"; code: McCode; sequence: number; now: number }
  /** The clock read `now`: a timer the caller armed for a deadline fired. */
  | { kind: "time"; now: number }
  /** The session ended: the request in flight, if any, is abandoned. */
  | { kind: "end" };

interface About<P> {
  code: McCode;
  sequence: number;
  payload: P;
}

export type RequesterAction<P> =
  /** Send the request with this sequence; it fails unanswered at `deadline`. */
  | ({ kind: "send"; deadline: number } & About<P>)
  /** 5.2: the send failed; send it again with the same sequence. */
  | ({ kind: "resend"; failures: number; deadline: number } & About<P>)
  /** 5.2: the last allowed send failed too: the device logs in again, the platform ends the session. */
  | ({ kind: "give-up"; failures: number } & About<P>)
  /** The response answers the request in flight, which is done. */
  | ({ kind: "answered"; sends: number } & About<P>)
  /** The session ended with the request unanswered. */
  | ({ kind: "abandoned" } & About<P>)
  /** Another request is still in flight: this one was not sent. */
  | { kind: "busy"; inFlight: InFlight<P> }
  /** Nothing to do: a response that answers nothing in flight, a time before the deadline, nothing to end. */
  | { kind: "none" };

export interface RequesterStep<P> {
  state: Requester<P>;
  action: RequesterAction<P>;
}

export function requester<P>(sender: Sender, timing: RequestTiming, sequence?: number): Requester<P> {
  return { sender, timing, sequence, inFlight: undefined };
}

/** Whether a response with this code and sequence answers the request in flight (5.2.1 pairs, same sequence). */
export function answersInFlight<P>(state: Requester<P>, code: McCode, sequence: number): boolean {
  const { inFlight } = state;
  return inFlight !== undefined && inFlight.sequence === sequence && responseCodeFor(inFlight.code) === code;
}

export function stepRequester<P>(state: Requester<P>, event: RequesterEvent<P>): RequesterStep<P> {
  const { inFlight } = state;
  switch (event.kind) {
    case "send":
      return send(state, event);
    case "response":
      if (inFlight === undefined || !answersInFlight(state, event.code, event.sequence))
        return nothing(state);
      // Sent and answered are every request's two steps: their actions are written out, where a spread of `about`
      // would make one more object each.
      return done(state, {
        kind: "answered",
        sends: inFlight.sends,
        code: inFlight.code,
        sequence: inFlight.sequence,
        payload: inFlight.payload,
      });
    case "time":
      return timePassed(state, event.now);
    case "end":
      return inFlight === undefined ? nothing(state) : done(state, { kind: "abandoned", ...about(inFlight) });
  }
}

function send<P>(state: Requester<P>, event: Extract<RequesterEvent<P>, { kind: "send" }>): RequesterStep<P> {
  const type = packetType(event.code);
  if (type.role !== "request" || type.sender !== state.sender)
    throw new RangeError(`code ${event.code} (${type.name}) is not a ${state.sender} request`);
  // docs/protocol-readings.md, "One request in flight": the next waits until this one is answered or given up.
  if (state.inFlight !== undefined) return { state, action: { kind: "busy", inFlight: state.inFlight } };
  const counter = takeSequence(state.sequence, event.take);
  const sequence =
    (((counter + (event.offBy ?? 0)) % SEQUENCE_MODULUS) + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
  const deadline = event.now + state.timing.responseTimeoutMs;
  const inFlight = { code: event.code, sequence, sends: 1, deadline, payload: event.payload };
  return {
    state: withState(state, counter, inFlight),
    action: { kind: "send", deadline, code: inFlight.code, sequence, payload: inFlight.payload },
  };
}

function takeSequence(counter: number | undefined, take: SequenceTake): number {
  if (typeof take === "object") return take.start;
  if (counter === undefined) throw new RangeError(`no sequence yet to take "${take}" from: start one`);
  return take === "next" ? sequenceAfter(counter) : counter;
}

function timePassed<P>(state: Requester<P>, now: number): RequesterStep<P> {
  const { inFlight } = state;
  if (inFlight === undefined || now < inFlight.deadline) return nothing(state);
  // Every send so far went unanswered.
  const failures = inFlight.sends;
  if (failures >= state.timing.maxFailedSends)
    return done(state, { kind: "give-up", failures, ...about(inFlight) });
  // 5.2: resend with the same sequence after 10 s.
  const deadline = now + state.timing.responseTimeoutMs;
  return {
    state: withState(state, state.sequence, { ...inFlight, sends: inFlight.sends + 1, deadline }),
    action: { kind: "resend", failures, deadline, ...about(inFlight) },
  };
}

const about = <P>({ code, sequence, payload }: InFlight<P>): About<P> => ({ code, sequence, payload });

const nothing = <P>(state: Requester<P>): RequesterStep<P> => ({ state, action: { kind: "none" } });

/** The request in flight is done with: the next may be sent. */
const done = <P>(state: Requester<P>, action: RequesterAction<P>): RequesterStep<P> => ({
  state: withState(state, state.sequence, undefined),
  action,
});

/** The next state, always built with the same fields in the same order (one object shape on the hot path). */
const withState = <P>(
  state: Requester<P>,
  sequence: number | undefined,
  inFlight: InFlight<P> | undefined,
): Requester<P> => ({ sender: state.sender, timing: state.timing, sequence, inFlight });
