import { describe, expect, it } from "vitest";
import { VIRTUAL_EPOCH, VirtualClock } from "./virtual-clock.ts";

describe("VirtualClock", () => {
  it("starts at its epoch and moves only when told", () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(VIRTUAL_EPOCH);
    clock.advance(1500);
    expect(clock.now()).toBe(VIRTUAL_EPOCH + 1500);
  });

  it("fires timers in due order, and timers due at one instant in scheduling order", () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("c@20"), 20, "c");
    clock.setTimeout(() => fired.push("a@10"), 10, "a");
    clock.setTimeout(() => fired.push("b@10"), 10, "b");
    clock.setTimeout(() => fired.push("d@10"), 10, "d");
    clock.advance(100);
    expect(fired).toEqual(["a@10", "b@10", "d@10", "c@20"]);
  });

  it("runs each callback at its due time, not at the end of the advance", () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 30);
    clock.setTimeout(() => seen.push(clock.now()), 70);
    clock.advance(100);
    expect(seen).toEqual([30, 70]);
    expect(clock.now()).toBe(100);
  });

  it("does not fire a timer 1 ms early", () => {
    const clock = new VirtualClock({ start: 0 });
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 100_000);
    clock.advance(99_999);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });

  it("cancels timers, idempotently, including from another timer due at the same instant", () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: string[] = [];
    const later = clock.setTimeout(() => fired.push("later"), 10, "later");
    clock.setTimeout(() => {
      fired.push("first");
      later.cancel();
    }, 10);
    // Scheduled after `first`, so it fires after it: cancelling it from `first` must win.
    const cancelled = clock.setTimeout(() => fired.push("cancelled"), 5);
    cancelled.cancel();
    cancelled.cancel();
    clock.advance(50);
    expect(fired).toEqual(["later", "first"]);
    const again = clock.setTimeout(() => fired.push("again"), 10);
    const sameInstant = clock.setTimeout(() => fired.push("same"), 10);
    clock.setTimeout(() => sameInstant.cancel(), 0);
    again.cancel();
    clock.advance(50);
    expect(fired).toEqual(["later", "first"]);
    expect(clock.timerCount()).toBe(0);
  });

  it("fires timers scheduled from inside timers within the same advance, in order", () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => {
      fired.push(["outer", clock.now()]);
      clock.setTimeout(() => fired.push(["zero-delay", clock.now()]), 0);
      clock.setTimeout(() => fired.push(["inner+5", clock.now()]), 5);
      clock.setTimeout(() => fired.push(["beyond", clock.now()]), 500);
    }, 10);
    clock.setTimeout(() => fired.push(["sibling@10", clock.now()]), 10);
    clock.advance(20);
    expect(fired).toEqual([
      ["outer", 10],
      ["sibling@10", 10],
      ["zero-delay", 10],
      ["inner+5", 15],
    ]);
    expect(clock.pending()).toEqual([{ name: "timeout", dueAt: 510, periodMs: undefined }]);
  });

  it("repeats intervals at their period and lists pending timers by name", () => {
    const clock = new VirtualClock({ start: 0 });
    const ticks: number[] = [];
    const heartbeat = clock.setInterval(() => ticks.push(clock.now()), 30_000, "heartbeat");
    clock.setTimeout(() => undefined, 45_000, "resend");
    expect(clock.timerCount("heartbeat")).toBe(1);
    expect(clock.pending().map((t) => t.name)).toEqual(["heartbeat", "resend"]);
    clock.advance(100_000);
    expect(ticks).toEqual([30_000, 60_000, 90_000]);
    expect(clock.pending()).toEqual([{ name: "heartbeat", dueAt: 120_000, periodMs: 30_000 }]);
    heartbeat.cancel();
    expect(clock.timerCount("heartbeat")).toBe(0);
  });

  it("runUntil a time fires what is due and stops there", async () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: number[] = [];
    for (const at of [10, 20, 30]) clock.setTimeout(() => fired.push(at), at);
    await clock.runUntil(20);
    expect(fired).toEqual([10, 20]);
    expect(clock.now()).toBe(20);
  });

  it("runUntil a condition stops at the timer that makes it true, letting promise chains run", async () => {
    const clock = new VirtualClock({ start: 0 });
    let done = false;
    const step = () => new Promise<void>((resolve) => clock.setTimeout(resolve, 10_000));
    const chain = (async () => {
      await step();
      await step();
      await step();
      done = true;
    })();
    clock.setTimeout(() => undefined, 999_000);
    await clock.runUntil(() => done);
    await chain;
    expect(clock.now()).toBe(30_000);
  });

  it("runUntil throws when the condition cannot become true", async () => {
    const clock = new VirtualClock({ start: 0 });
    await expect(clock.runUntil(() => false)).rejects.toThrow(/no timer is pending/);
    clock.setInterval(() => undefined, 1000);
    await expect(clock.runUntil(() => false, { maxMs: 5000 })).rejects.toThrow(/after 5000 simulated ms/);
  });

  it("runUntilSettled returns the value, or the rejection, of a promise that waits on virtual time", async () => {
    const clock = new VirtualClock({ start: 0 });
    const value = new Promise<string>((resolve) => clock.setTimeout(() => resolve("answered"), 10_000));
    await expect(clock.runUntilSettled(value)).resolves.toBe("answered");
    const timeout = new Promise<never>((_, reject) =>
      clock.setTimeout(() => reject(new Error("10 s timeout")), 10_000),
    );
    await expect(clock.runUntilSettled(timeout)).rejects.toThrow("10 s timeout");
    expect(clock.now()).toBe(20_000);
  });

  it("100 simulated seconds of 1 s ticks run in well under a real second", () => {
    const clock = new VirtualClock({ start: 0 });
    let ticks = 0;
    clock.setInterval(() => ticks++, 1000);
    const started = performance.now();
    clock.advance(100_000);
    expect(ticks).toBe(100);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
