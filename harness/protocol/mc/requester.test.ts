import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { type McCode, responseCodeFor } from "./packet-types.ts";
import {
  answersInFlight,
  type Requester,
  type RequesterAction,
  type RequesterEvent,
  requester,
  stepRequester,
} from "./requester.ts";
import { MAX_SEQUENCE, sequenceAfter } from "./sequence.ts";
import { mcTimingDefaults } from "./timing.ts";

const timing = { responseTimeoutMs: 10_000, maxFailedSends: 3 };

/** Feeds events in order; returns the last state and every action. */
function feed<P>(state: Requester<P>, ...events: RequesterEvent<P>[]) {
  const actions: RequesterAction<P>[] = [];
  for (const event of events) {
    const step = stepRequester(state, event);
    state = step.state;
    actions.push(step.action);
  }
  return { state, actions };
}

const send = (now: number, code: McCode = 2006, payload = 0): RequesterEvent<number> => ({
  kind: "send",
  code,
  now,
  take: "next",
  payload,
});
const at = (now: number): RequesterEvent<number> => ({ kind: "time", now });

describe("requester: one request in flight, resent after 10 s, given up after 3 sends (5.2)", () => {
  it("takes the next sequence, resends with the same one at 10 and 20 s, gives up at 30 s", () => {
    const { state, actions } = feed(
      requester<number>("device", timing, 41),
      send(0),
      at(10_000),
      at(20_000),
      at(30_000),
    );
    expect(actions).toEqual([
      { kind: "send", code: 2006, sequence: 42, deadline: 10_000, payload: 0 },
      { kind: "resend", code: 2006, sequence: 42, failures: 1, deadline: 20_000, payload: 0 },
      { kind: "resend", code: 2006, sequence: 42, failures: 2, deadline: 30_000, payload: 0 },
      { kind: "give-up", code: 2006, sequence: 42, failures: 3, payload: 0 },
    ]);
    expect(state).toMatchObject({ sequence: 42, inFlight: undefined });
  });

  it("uses the spec's defaults: 10 s and 3 sends", () => {
    expect(mcTimingDefaults).toMatchObject({ responseTimeoutMs: 10_000, maxFailedSends: 3 });
  });

  it("a time before the deadline does nothing", () => {
    const { actions } = feed(requester<number>("device", timing, 0), send(0), at(9_999));
    expect(actions[1]).toEqual({ kind: "none" });
  });

  it("the paired response with the same sequence answers it; anything else does not", () => {
    const start = feed(requester<number>("device", timing, 7), send(0, 2006, 5)).state;
    expect(answersInFlight(start, 2007, 8)).toBe(true);
    expect(answersInFlight(start, 2007, 7)).toBe(false);
    expect(answersInFlight(start, 2009, 8)).toBe(false);
    expect(stepRequester(start, { kind: "response", code: 2009, sequence: 8, now: 1 }).action).toEqual({
      kind: "none",
    });
    const answered = stepRequester(start, { kind: "response", code: 2007, sequence: 8, now: 1 });
    expect(answered.action).toEqual({ kind: "answered", code: 2006, sequence: 8, sends: 1, payload: 5 });
    expect(answered.state.inFlight).toBeUndefined();
  });

  it("refuses a second request while one is in flight, and changes nothing", () => {
    const one = feed(requester<number>("platform", timing, 1), send(0, 2003)).state;
    const step = stepRequester(one, send(5, 2005, 1));
    expect(step.action.kind).toBe("busy");
    expect(step.state).toBe(one);
  });

  it("takes a new start (connect, the platform's first request) and the same sequence (voice segments)", () => {
    const { actions } = feed(
      requester<number>("device", timing),
      { kind: "send", code: 1004, now: 0, take: { start: 65535 }, payload: 0 },
      { kind: "response", code: 1005, sequence: 65535, now: 1 },
      { kind: "send", code: 3002, now: 2, take: "next", payload: 1 },
      { kind: "response", code: 3003, sequence: 0, now: 3 },
      { kind: "send", code: 3002, now: 4, take: "same", payload: 2 },
    );
    expect(actions.filter((a) => a.kind === "send").map((a) => a.sequence)).toEqual([65535, 0, 0]);
  });

  it("the wrong-sequence fault switch sends off by n and leaves the counter where it was", () => {
    const wrong = { kind: "send", code: 2006, now: 0, take: "next", payload: 0, offBy: 7 } as const;
    const step = stepRequester(requester<number>("device", timing, 65533), wrong);
    expect(step.action).toMatchObject({ kind: "send", sequence: 5 });
    expect(step.state.sequence).toBe(65534);
  });

  it("an end abandons the request in flight", () => {
    const one = feed(requester<number>("device", timing, 1), send(0, 2006, 9)).state;
    expect(stepRequester(one, { kind: "end" })).toEqual({
      state: { ...one, inFlight: undefined },
      action: { kind: "abandoned", code: 2006, sequence: 2, payload: 9 },
    });
  });

  it("sends only its own side's requests", () => {
    expect(() => stepRequester(requester<number>("device", timing, 1), send(0, 2005))).toThrow(RangeError);
    expect(() => stepRequester(requester<number>("platform", timing, 1), send(0, 2006))).toThrow(RangeError);
    expect(() => stepRequester(requester<number>("device", timing, 1), send(0, 2007))).toThrow(RangeError);
    expect(() => stepRequester(requester<number>("device", timing), send(0))).toThrow(RangeError);
  });
});

const anyEvent = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), code: fc.constantFrom<McCode>(1000, 2006, 2008, 3002) }),
  fc.record({ kind: fc.constant("answer" as const), right: fc.boolean() }),
  fc.record({ kind: fc.constant("time" as const), ms: fc.integer({ min: 0, max: 15_000 }) }),
  fc.record({ kind: fc.constant("end" as const) }),
);

describe("requester properties", () => {
  test.prop([fc.integer({ min: 0, max: MAX_SEQUENCE }), fc.array(anyEvent, { maxLength: 80 })])(
    "any interleaving of sends, answers, timeouts and ends: never two in flight, every request done exactly once",
    (start, script) => {
      let state = requester<number>("device", timing, start);
      let now = 0;
      let next = 0;
      const open = new Set<number>();
      const done: number[] = [];
      for (const e of script) {
        const inFlight = state.inFlight;
        if (e.kind === "time") now += e.ms;
        let event: RequesterEvent<number>;
        if (e.kind === "send") event = { kind: "send", code: e.code, now, take: "next", payload: next };
        else if (e.kind === "time") event = { kind: "time", now };
        else if (e.kind === "end") event = { kind: "end" };
        else {
          // The right answer, or its code with the next sequence (a stray).
          const code = inFlight === undefined ? 2007 : responseCodeFor(inFlight.code);
          const sequence =
            inFlight === undefined ? 0 : e.right ? inFlight.sequence : sequenceAfter(inFlight.sequence);
          event = { kind: "response", code, sequence, now };
        }
        const before = state;
        const { state: after, action } = stepRequester(state, event);
        state = after;
        if (action.kind === "send") open.add(next++);
        if (action.kind === "busy") expect(after).toBe(before);
        if (action.kind === "answered" || action.kind === "give-up" || action.kind === "abandoned") {
          expect(open.delete(action.payload)).toBe(true);
          done.push(action.payload);
        }
        // One in flight at most, and exactly the one not yet done.
        expect(open.size).toBeLessThanOrEqual(1);
        expect(state.inFlight?.payload).toBe([...open][0]);
      }
      expect(new Set(done).size).toBe(done.length);
    },
  );

  test.prop([fc.integer({ min: MAX_SEQUENCE - 40, max: MAX_SEQUENCE }), fc.integer({ min: 1, max: 80 })])(
    "answered requests take consecutive sequences across the 16-bit wrap",
    (start, count) => {
      let state = requester<number>("device", timing, start);
      const taken: number[] = [];
      for (let i = 0; i < count; i++) {
        const sent = stepRequester(state, send(i));
        if (sent.action.kind !== "send") throw new Error("not sent");
        taken.push(sent.action.sequence);
        state = stepRequester(sent.state, {
          kind: "response",
          code: 2007,
          sequence: sent.action.sequence,
          now: i,
        }).state;
      }
      expect(taken).toEqual(Array.from({ length: count }, (_, i) => (start + 1 + i) % 65536));
      expect(taken.every((s) => s >= 0 && s <= MAX_SEQUENCE)).toBe(true);
    },
  );

  test.prop([
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 1, max: 20_000 }),
    fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 60 }),
  ])(
    "unanswered, a request is sent exactly maxFailedSends times, each after the last send's deadline, then given up",
    (maxFailedSends, responseTimeoutMs, steps) => {
      let state = requester<number>("platform", { responseTimeoutMs, maxFailedSends }, 100);
      const first = stepRequester(state, send(0, 2005));
      state = first.state;
      let now = 0;
      let deadline = responseTimeoutMs;
      const sends: number[] = [0];
      let gaveUpAt: number | undefined;
      for (const ms of [...steps, maxFailedSends * responseTimeoutMs]) {
        now += ms;
        const { state: after, action } = stepRequester(state, at(now));
        state = after;
        if (action.kind === "resend") {
          expect(now).toBeGreaterThanOrEqual(deadline);
          expect(action).toMatchObject({ sequence: 101, failures: sends.length });
          sends.push(now);
          deadline = action.deadline;
          expect(deadline).toBe(now + responseTimeoutMs);
        } else if (action.kind === "give-up") {
          expect(now).toBeGreaterThanOrEqual(deadline);
          expect(action.failures).toBe(maxFailedSends);
          gaveUpAt = now;
          break;
        } else expect(now < deadline || gaveUpAt !== undefined).toBe(true);
      }
      // The run ends with a time far enough on: every resend and the give-up have come.
      while (gaveUpAt === undefined) {
        now += responseTimeoutMs;
        const { state: after, action } = stepRequester(state, at(now));
        state = after;
        if (action.kind === "resend") sends.push(now);
        if (action.kind === "give-up") gaveUpAt = now;
      }
      expect(sends).toHaveLength(maxFailedSends);
      expect(state.inFlight).toBeUndefined();
    },
  );

  test.prop([fc.array(anyEvent, { maxLength: 40 })])("never changes the state it is given", (script) => {
    let state = requester<number>("device", timing, 5);
    let now = 0;
    for (const e of script) {
      const copy = structuredClone(state);
      if (e.kind === "time") now += e.ms;
      const event: RequesterEvent<number> =
        e.kind === "send"
          ? send(now, e.code)
          : e.kind === "time"
            ? at(now)
            : e.kind === "end"
              ? { kind: "end" }
              : { kind: "response", code: 2007, sequence: state.inFlight?.sequence ?? 0, now };
      const next = stepRequester(state, event).state;
      expect(state).toEqual(copy);
      state = next;
    }
  });
});
