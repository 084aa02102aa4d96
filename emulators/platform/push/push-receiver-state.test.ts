import { describe, expect, it } from "vitest";
import { CLOUD_KEEP_MS, CLOUD_WINDOW_MS, PushReceiverState } from "./push-receiver-state.ts";

/** Queues `data`, takes it and answers it. */
function push(state: PushReceiverState, data: string, abnormal: string | undefined, now: number) {
  state.enqueue(data, now);
  const taken = state.take(now);
  return { taken, suspension: taken === undefined ? undefined : state.answered(abnormal, now) };
}

describe("PushReceiverState, consecutive policy", () => {
  it("suspends after 5 abnormal answers in a row, naming the count and the last reason", () => {
    const state = new PushReceiverState();
    for (let i = 1; i <= 4; i++) expect(push(state, `m${i}`, "HTTP 500", i).suspension).toBeUndefined();
    const { suspension } = push(state, "m5", "no answer within 10000 ms", 5);
    expect(suspension).toEqual({
      reason: "5 abnormal answers in a row, the last: no answer within 10000 ms",
      at: 5,
    });
    expect(state.view(6)).toMatchObject({
      state: "suspended",
      consecutiveAbnormal: 5,
      counts: { sent: 5, normal: 0, abnormal: 5 },
      lastAbnormal: { reason: "no answer within 10000 ms", at: 5 },
    });
    // Suspended: nothing taken, new messages dropped and counted.
    state.enqueue("m6", 7);
    expect(state.take(7)).toBeUndefined();
    expect(state.view(7).counts.dropped.suspended).toBe(1);
  });

  it("drops what waits when it suspends, so pushes start again from the next change", () => {
    const state = new PushReceiverState({ abnormalLimit: 1 });
    for (const data of ["a", "b", "c"]) state.enqueue(data, 1);
    state.take(1);
    state.answered("HTTP 500", 2);
    expect(state.view(2)).toMatchObject({ queued: 0, counts: { dropped: { suspended: 2 } } });
    state.resume();
    state.enqueue("d", 3);
    expect(state.take(3)?.data).toBe("d");
  });

  it("a normal answer ends the run; the limit is an option", () => {
    const state = new PushReceiverState({ abnormalLimit: 2 });
    push(state, "a", "HTTP 500", 1);
    push(state, "b", undefined, 2);
    expect(push(state, "c", "HTTP 500", 3).suspension).toBeUndefined();
    expect(push(state, "d", "HTTP 502", 4).suspension?.reason).toMatch(/^2 abnormal answers in a row/);
  });

  it("resume pushes again from a clean run; a receiver not suspended is not resumed", () => {
    const state = new PushReceiverState({ abnormalLimit: 1 });
    expect(state.resume()).toBe(false);
    push(state, "a", "HTTP 500", 1);
    expect(state.suspended).toBeDefined();
    expect(state.resume()).toBe(true);
    expect(state.view(2)).toMatchObject({ state: "active", consecutiveAbnormal: 0 });
    expect(push(state, "b", undefined, 2).taken?.data).toBe("b");
  });

  it("sends one at a time, in the order queued", () => {
    const state = new PushReceiverState();
    for (const data of ["a", "b", "c"]) state.enqueue(data, 1);
    expect(state.take(1)?.data).toBe("a");
    expect(state.take(1)).toBeUndefined();
    state.answered(undefined, 2);
    expect(state.take(2)?.data).toBe("b");
    state.answered("HTTP 500", 3);
    // consecutive: an abnormally answered message is not sent again.
    expect(state.take(3)?.data).toBe("c");
  });

  it("bounds the queue: the oldest is dropped and counted", () => {
    const state = new PushReceiverState({ queueLimit: 3 });
    for (let i = 0; i < 5; i++) state.enqueue(`m${i}`, i);
    expect(state.view(5)).toMatchObject({ queued: 3, counts: { dropped: { queueFull: 2 } } });
    expect(state.take(5)?.data).toBe("m2");
  });

  it("refuses a limit that is not a positive integer, naming it", () => {
    expect(() => new PushReceiverState({ abnormalLimit: 0 })).toThrow(/abnormalLimit: .* got 0/);
    expect(() => new PushReceiverState({ queueLimit: 1.5 })).toThrow(/queueLimit: .* got 1.5/);
  });
});

describe("PushReceiverState, cloud policy", () => {
  it("suspends when more than 5 % of the last 5 minutes' pushes were abnormal, not at 5 % or below", () => {
    const state = new PushReceiverState({ policy: "cloud" });
    for (let i = 0; i < 38; i++) push(state, `ok${i}`, undefined, 1000 + i);
    // 2 of 40 = 5 %: still pushing (the failed message is kept and goes first again).
    expect(push(state, "x1", "HTTP 500", 2000).suspension).toBeUndefined();
    expect(state.take(2001)?.data).toBe("x1");
    expect(state.answered("HTTP 500", 2001)).toBeUndefined();
    // 3 of 41: over 5 %.
    expect(state.take(2002)?.data).toBe("x1");
    expect(state.answered("HTTP 500", 2002)?.reason).toMatch(/^3 of 41 pushes abnormal within 5 minutes/);
  });

  it("forgets answers older than the window", () => {
    const state = new PushReceiverState({ policy: "cloud" });
    for (let i = 0; i < 20; i++) push(state, `ok${i}`, undefined, i);
    // 1 of 21 within the window: under 5 %.
    expect(push(state, "x", "HTTP 500", 100).suspension).toBeUndefined();
    state.take(101);
    state.answered(undefined, 101);
    // Five minutes after "x" failed, only the answer at 101 is left in the window: 1 abnormal of 2 is over 5 %.
    const later = 100 + CLOUD_WINDOW_MS;
    expect(push(state, "y", "HTTP 500", later).suspension?.reason).toMatch(/^1 of 2 pushes abnormal/);
  });

  it("keeps undelivered messages, also while suspended, and sends them on resume; drops them after 12 hours", () => {
    const state = new PushReceiverState({ policy: "cloud" });
    expect(push(state, "a", "HTTP 500", 0).suspension).toBeDefined();
    state.enqueue("b", 10);
    expect(state.view(10)).toMatchObject({ queued: 2, counts: { dropped: { suspended: 0 } } });
    state.resume();
    expect(state.take(20)?.data).toBe("a");
    state.answered("HTTP 500", 20);
    state.resume();
    // "a" was queued at 0: gone at 12 h; "b" (queued at 10) still there until 12 h + 10.
    expect(state.take(CLOUD_KEEP_MS)?.data).toBe("b");
    expect(state.view(CLOUD_KEEP_MS).counts.dropped.expired).toBe(1);
    state.answered("HTTP 500", CLOUD_KEEP_MS);
    state.resume();
    expect(state.take(CLOUD_KEEP_MS + 10)).toBeUndefined();
    expect(state.view(CLOUD_KEEP_MS + 10).counts.dropped.expired).toBe(2);
  });
});
