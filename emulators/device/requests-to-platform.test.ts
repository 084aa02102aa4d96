import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { type Answer, RequestsToPlatform } from "./requests-to-platform.ts";

function setup() {
  const clock = new VirtualClock();
  const sent: Array<{ at: number; sequence: string; again: boolean }> = [];
  const gaveUp: string[] = [];
  const requests = new RequestsToPlatform({
    deviceId: "d1",
    clock,
    timing: { responseTimeoutMs: 10_000, maxFailedSends: 3 },
    encode: (message) => Buffer.from(JSON.stringify(message)),
    transmit: (_frame, message) =>
      sent.push({ at: clock.now(), sequence: (message.body as { sequence: string }).sequence, again: false }),
    sendAgain: (frame) =>
      sent.push({
        at: clock.now(),
        sequence: (JSON.parse(frame.toString()) as McMessage).body.sequence,
        again: true,
      }),
    onResend: () => undefined,
    onGiveUp: ({ code, failures }) => gaveUp.push(`${failures} failed sends of ${code}`),
  });
  const answer = (code: number, sequence: string, body: Partial<Answer> = {}) =>
    requests.settle(code as never, { result: 0, sequence, ...body });
  return { clock, sent, gaveUp, requests, answer };
}

describe("the device's requests to the platform (5.2)", () => {
  it("resends the same frame at 10 and 20 s, gives up at 30 s, and leaves no timer", async () => {
    const { clock, sent, gaveUp, requests } = setup();
    const start = clock.now();
    const answer = requests.send(2006, { deviceId: "d1" }, { start: 500 });
    const failed = answer.catch((error: Error) => error.message);
    clock.advance(30_000);
    expect(sent.map((s) => [s.at - start, s.sequence, s.again])).toEqual([
      [0, "500", false],
      [10_000, "500", true],
      [20_000, "500", true],
    ]);
    expect(gaveUp).toEqual(["3 failed sends of 2006"]);
    expect(await failed).toBe("d1: session ended");
    expect(clock.timerCount("device-resend")).toBe(0);
  });

  it("settles with the paired response of the same sequence; the next request takes the next sequence", async () => {
    const { sent, requests, answer } = setup();
    const first = requests.send(1004, { token: "t" }, { start: 65535 });
    expect(answer(1005, "0")).toBe(false);
    expect(answer(1001, "65535")).toBe(false);
    expect(answer(1005, "65535", { heartBeat: 45 })).toBe(true);
    expect(await first).toMatchObject({ heartBeat: 45 });
    void requests.send(1000, { token: "t" }, "next");
    expect(sent.map((s) => s.sequence)).toEqual(["65535", "0"]);
  });

  it("an `answers` test keeps an earlier segment's late 400002 from settling the last", async () => {
    const { requests, answer } = setup();
    const last = requests.send(
      3002,
      { deviceId: "d1" },
      { start: 9 },
      { answers: (b) => b.result !== 400002 },
    );
    expect(answer(3003, "9", { result: 400002 })).toBe(false);
    expect(answer(3003, "9", { result: 0, text: "on" })).toBe(true);
    expect(await last).toMatchObject({ text: "on" });
  });

  it("queues requests one at a time, and an end fails the one in flight without leaving a timer", async () => {
    const { clock, sent, requests } = setup();
    requests.sequence = 10;
    const first = requests.oneAtATime(() => requests.send(2006, {}, "next"));
    const second = requests.oneAtATime(() => requests.send(2008, {}, "next"));
    await Promise.resolve();
    expect(sent.map((s) => s.sequence)).toEqual(["11"]);
    requests.end(new Error("session ended"));
    await expect(first).rejects.toThrow("session ended");
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((s) => s.sequence)).toEqual(["11", "12"]);
    requests.end(new Error("session ended"));
    await expect(second).rejects.toThrow("session ended");
    expect(clock.timerCount()).toBe(0);
  });
});
