import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { responseCodeFor } from "./packet-types.ts";
import { requester, stepRequester } from "./requester.ts";
import {
  answered,
  incomingRequest,
  isSequenceErrorAnswer,
  receiveRequest,
  responder,
  sequenceErrorDscp,
} from "./responder.ts";
import { McResult } from "./result-codes.ts";
import { MAX_SEQUENCE, sequenceAfter } from "./sequence.ts";

const request = (sequence: number, segment?: number) =>
  segment === undefined ? { code: 2006 as const, sequence } : { code: 3002 as const, sequence, segment };

describe("responder: last + 1 is new, a repeat is answered from the store, anything else is out of order (5.2.2 item 5)", () => {
  it("accepts the first request as it comes, then only the next", () => {
    const first = receiveRequest(responder<string>("device"), request(65535));
    expect(first.decision).toEqual({ kind: "new", sequence: 65535 });
    const next = receiveRequest(answered(first.state, 65535, "a"), request(0));
    expect(next.decision).toEqual({ kind: "new", sequence: 0 });
    expect(next.state).toMatchObject({ last: 0, answer: undefined });
  });

  it("answers a retransmission from the store, without acting on it; before the answer there is nothing to repeat", () => {
    const accepted = receiveRequest(responder<string>("device", 7), request(8)).state;
    expect(receiveRequest(accepted, request(8)).decision).toEqual({
      kind: "retransmission",
      answer: undefined,
    });
    const stored = answered(accepted, 8, "answer to 8");
    const again = receiveRequest(stored, request(8));
    expect(again.decision).toEqual({ kind: "retransmission", answer: "answer to 8" });
    expect(again.state).toBe(stored);
  });

  it("answers an out-of-order request with 100001 naming the expected sequence, and records nothing", () => {
    const state = responder<string>("device", 65535, "x");
    const step = receiveRequest(state, request(5));
    expect(step.decision).toEqual({
      kind: "out-of-order",
      expected: 0,
      result: McResult.InvalidParameter,
      dscp: "expected sequence 0",
    });
    expect(step.state).toBe(state);
  });

  it("keeps an answer only for the request still last accepted", () => {
    const state = receiveRequest(responder<string>("device", 1), request(2)).state;
    expect(answered(state, 1, "late")).toBe(state);
    expect(answered(state, 2, "on time").answer).toBe("on time");
  });

  it("voice segments share one sequence: a new sn is the next segment, the same sn a retransmission (5.4.3.17)", () => {
    const one = receiveRequest(responder<string>("device", 9), request(10, 1));
    expect(one.decision.kind).toBe("new");
    const two = receiveRequest(answered(one.state, 10, "400002"), request(10, 2));
    expect(two.decision).toEqual({ kind: "new", sequence: 10 });
    expect(receiveRequest(answered(two.state, 10, "last"), request(10, 2)).decision).toEqual({
      kind: "retransmission",
      answer: "last",
    });
  });

  it("reads a decoded request: its sequence, and a voice segment's sn", () => {
    expect(incomingRequest({ code: 1000, body: { sequence: "12", token: "t", time: 1 } })).toEqual({
      code: 1000,
      sequence: 12,
    });
    const segment = incomingRequest({
      code: 3002,
      body: {
        sequence: "3",
        deviceId: "d",
        ctrlParam: {
          format: "amr",
          rate: 16000,
          channel: 1,
          voiceId: "v",
          sn: 2,
          isLast: "0",
          audioData: "",
        },
        time: 1,
      },
    });
    expect(segment).toEqual({ code: 3002, sequence: 3, segment: 2 });
  });

  it("answers only the peer's requests", () => {
    expect(() => receiveRequest(responder<string>("platform"), request(1))).toThrow(RangeError);
    expect(() => receiveRequest(responder<string>("device"), { code: 2007, sequence: 1 })).toThrow(
      RangeError,
    );
  });

  it("the sequence error the platform answers is the one the device recognises", () => {
    expect(isSequenceErrorAnswer({ result: McResult.InvalidParameter, dscp: sequenceErrorDscp(42) })).toBe(
      true,
    );
    expect(isSequenceErrorAnswer({ result: McResult.InvalidParameter, dscp: "bad field" })).toBe(false);
    expect(isSequenceErrorAnswer({ result: McResult.Success, dscp: sequenceErrorDscp(1) })).toBe(false);
  });
});

describe("responder properties", () => {
  test.prop([
    fc.integer({ min: 0, max: MAX_SEQUENCE }),
    fc.array(fc.constantFrom("new", "repeat", "repeat-before-answer"), { maxLength: 100 }),
  ])(
    "across the 16-bit wrap, each request is acted on once and every repeat gets the stored answer",
    (last, script) => {
      let state = responder<string>("device", last, `answer ${last}`);
      let sequence = last;
      const actedOn: number[] = [];
      for (const step of script) {
        if (step === "new") {
          sequence = sequenceAfter(sequence);
          const { state: next, decision } = receiveRequest(state, request(sequence));
          expect(decision).toEqual({ kind: "new", sequence });
          actedOn.push(sequence);
          state = answered(next, sequence, `answer ${sequence}`);
        } else {
          const before = step === "repeat-before-answer" ? { ...state, answer: undefined } : state;
          const { state: after, decision } = receiveRequest(before, request(sequence));
          expect(decision).toEqual({
            kind: "retransmission",
            answer: step === "repeat" ? `answer ${sequence}` : undefined,
          });
          expect(after).toBe(before);
        }
      }
      expect(actedOn).toEqual(Array.from({ length: actedOn.length }, (_, i) => (last + 1 + i) % 65536));
    },
  );

  test.prop([fc.integer({ min: 0, max: MAX_SEQUENCE }), fc.integer({ min: 0, max: MAX_SEQUENCE })])(
    "any sequence but the last and the next is out of order, answered with 100001 and the expected one",
    (last, sequence) => {
      fc.pre(sequence !== last && sequence !== sequenceAfter(last));
      const state = responder<string>("device", last, "stored");
      const { state: after, decision } = receiveRequest(state, request(sequence));
      expect(decision).toMatchObject({ kind: "out-of-order", expected: sequenceAfter(last), result: 100001 });
      expect(after).toBe(state);
    },
  );

  /** One transmission on a lossy link that may also reorder: what happens to the request and to its answer. */
  const lost = fc.integer({ min: 0, max: 4 }).map((n) => n === 0);
  const delay = fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 25_000 }));
  const delivery = fc.record({ requestLost: lost, answerLost: lost, requestMs: delay, answerMs: delay });

  test.prop([
    fc.integer({ min: 0, max: MAX_SEQUENCE }),
    fc.integer({ min: 1, max: 8 }),
    fc.array(delivery, { minLength: 1, maxLength: 30 }),
  ])(
    "a requester and a responder over a lossy link: one in flight, each request acted on once, given up after 3 sends",
    (start, requests, link) => {
      const outcome = simulate(start, requests, link);
      expect(outcome.maxInFlight).toBeLessThanOrEqual(1);
      for (const times of outcome.actedOn.values()) expect(times).toBe(1);
      // The responder acted on the requests in the order they were made, from the sender's start on.
      expect([...outcome.actedOn.keys()]).toEqual(outcome.sent.slice(0, outcome.actedOn.size));
      expect(outcome.sent).toEqual(
        Array.from({ length: outcome.sent.length }, (_, i) => (start + 1 + i) % 65536),
      );
      // Every request but a last one given up was answered, with the answer stored for its own sequence.
      const answeredCount = outcome.answers.length;
      expect(outcome.answers).toEqual(outcome.sent.slice(0, answeredCount).map((s) => `answer ${s}`));
      if (outcome.gaveUp === undefined) expect(answeredCount).toBe(requests);
      else {
        expect(outcome.gaveUp).toEqual({ sequence: outcome.sent.at(-1), sends: 3 });
        expect(answeredCount).toBe(outcome.sent.length - 1);
      }
    },
  );
});

interface Arrival {
  at: number;
  order: number;
  kind: "request" | "answer" | "deadline";
  sequence: number;
  answer?: string;
  answerMs?: number;
  answerLost?: boolean;
}

/**
 * A device sends `requests` requests (2006) to a platform over `link`, one transmission after another using its
 * entries in turn. Each side runs its state machine; a message arrives after its delay unless it is lost. The run
 * ends when every request is answered, or at the first give-up (the device then logs in again).
 */
function simulate(
  start: number,
  requests: number,
  link: Array<{ requestLost: boolean; answerLost: boolean; requestMs: number; answerMs: number }>,
) {
  const timing = { responseTimeoutMs: 10_000, maxFailedSends: 3 };
  let device = requester<number>("device", timing, start);
  let platform = responder<string>("device", start);
  const queue: Arrival[] = [];
  const sent: number[] = [];
  const answers: string[] = [];
  const actedOn = new Map<number, number>();
  let now = 0;
  let order = 0;
  let transmissions = 0;
  let maxInFlight = 0;
  let gaveUp: { sequence: number; sends: number } | undefined;
  const push = (arrival: Omit<Arrival, "order">) => queue.push({ ...arrival, order: order++ });
  const transmit = (sequence: number) => {
    const d = link[transmissions++ % link.length];
    if (d === undefined || d.requestLost) return;
    const { answerMs, answerLost } = d;
    push({ at: now + d.requestMs, kind: "request", sequence, answerMs, answerLost });
  };
  const sendNext = () => {
    if (sent.length === requests) return;
    const step = stepRequester(device, { kind: "send", code: 2006, now, take: "next", payload: sent.length });
    device = step.state;
    if (step.action.kind !== "send") throw new Error("a second request in flight");
    sent.push(step.action.sequence);
    transmit(step.action.sequence);
    push({ at: step.action.deadline, kind: "deadline", sequence: step.action.sequence });
  };
  sendNext();
  while (queue.length > 0 && gaveUp === undefined) {
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = queue.shift() as Arrival;
    now = next.at;
    if (next.kind === "request") {
      const { state, decision } = receiveRequest(platform, { code: 2006, sequence: next.sequence });
      let answer: string | undefined;
      if (decision.kind === "new") {
        actedOn.set(next.sequence, (actedOn.get(next.sequence) ?? 0) + 1);
        answer = `answer ${next.sequence}`;
        platform = answered(state, next.sequence, answer);
      } else if (decision.kind === "retransmission") answer = decision.answer;
      // A late duplicate of an older request is out of order: its 100001 answers nothing in flight.
      if (answer !== undefined && next.answerLost !== true)
        push({ at: now + (next.answerMs ?? 0), kind: "answer", sequence: next.sequence, answer });
    } else if (next.kind === "answer") {
      const code = responseCodeFor(2006);
      const step = stepRequester(device, { kind: "response", code, sequence: next.sequence, now });
      device = step.state;
      if (step.action.kind === "answered") {
        answers.push(next.answer ?? "");
        sendNext();
      }
    } else {
      const step = stepRequester(device, { kind: "time", now });
      device = step.state;
      if (step.action.kind === "resend") {
        transmit(step.action.sequence);
        push({ at: step.action.deadline, kind: "deadline", sequence: step.action.sequence });
      } else if (step.action.kind === "give-up")
        gaveUp = { sequence: step.action.sequence, sends: step.action.failures };
    }
    maxInFlight = Math.max(maxInFlight, sent.length - answers.length - (gaveUp ? 1 : 0));
  }
  return { sent, answers, actedOn, gaveUp, maxInFlight };
}
