import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { silent } from "../testing/world.ts";
import { wellBehaved } from "./misbehaviour.ts";
import type { DeviceContext, DeviceModel, PlatformRequest } from "./model.ts";
import { RequestsFromPlatform } from "./requests-from-platform.ts";

const query = (sequence: number): PlatformRequest => ({
  code: 2003,
  body: { sequence: String(sequence), deviceId: "d1", time: 1 },
});

function setup(handle: DeviceModel["handle"] = () => ({ fields: { result: 0, deviceId: "d1", time: 1 } })) {
  const clock = new VirtualClock();
  const misbehaviour = wellBehaved();
  const sent: Array<{ at: number; frame: string; again: boolean }> = [];
  let handled = 0;
  let sequenceErrors = 0;
  const model = {
    deviceId: "d1",
    model: "m",
    version: "1",
    afterConnect: async () => undefined,
    handle: (request: PlatformRequest, ctx: DeviceContext) => {
      handled++;
      return handle(request, ctx);
    },
  };
  const requests = new RequestsFromPlatform({
    deviceId: "d1",
    clock,
    logger: silent,
    model,
    misbehaviour,
    context: () => ({
      clock,
      logger: silent,
      misbehaviour,
      request: () => Promise.reject(new Error("none")),
    }),
    encode: (message) => Buffer.from(`${message.code} ${message.body.sequence} ${message.body.result}`),
    transmit: (frame) => sent.push({ at: clock.now(), frame: frame.toString(), again: false }),
    sendAgain: (frame) => sent.push({ at: clock.now(), frame: frame.toString(), again: true }),
    onSequenceError: () => sequenceErrors++,
  });
  return { clock, misbehaviour, sent, requests, counts: () => ({ handled, sequenceErrors }) };
}

describe("the platform's requests to the device (5.2.2 item 5)", () => {
  it("acts on a new request once and answers its retransmission from the stored answer", () => {
    const { sent, requests, counts } = setup();
    requests.accept(query(7));
    requests.accept(query(7));
    requests.accept(query(8));
    expect(sent).toEqual([
      { at: expect.any(Number), frame: "2002 7 0", again: false },
      { at: expect.any(Number), frame: "2002 7 0", again: true },
      { at: expect.any(Number), frame: "2002 8 0", again: false },
    ]);
    expect(counts()).toEqual({ handled: 2, sequenceErrors: 0 });
  });

  it("a sequence out of order is acted on never, and makes the device log in again", () => {
    const { sent, requests, counts } = setup();
    requests.lastSequence = 65535;
    requests.accept(query(0));
    requests.accept(query(5));
    expect(sent.map((s) => s.frame)).toEqual(["2002 0 0"]);
    expect(counts()).toEqual({ handled: 1, sequenceErrors: 1 });
  });

  it("answerLateMs: a retransmission before the late answer gets nothing; the answer comes once, late", () => {
    const { clock, misbehaviour, sent, requests, counts } = setup();
    misbehaviour.answerLateMs = 15_000;
    const start = clock.now();
    requests.accept(query(1));
    clock.advance(10_000);
    requests.accept(query(1));
    clock.advance(5_000);
    expect(sent.map((s) => [s.at - start, s.frame, s.again])).toEqual([[15_000, "2002 1 0", false]]);
    expect(counts().handled).toBe(1);
  });

  it("an end drops the answers still held back", () => {
    const { clock, misbehaviour, sent, requests } = setup();
    misbehaviour.answerLateMs = 5_000;
    requests.accept(query(1));
    requests.end();
    clock.advance(10_000);
    expect(sent).toEqual([]);
    expect(clock.timerCount()).toBe(0);
  });

  it("dropResponses swallows answers, first or repeated; a model that throws is answered 899999", () => {
    const { misbehaviour, sent, requests } = setup(() => {
      throw new Error("no such status");
    });
    misbehaviour.dropResponses = 1;
    requests.accept(query(3));
    requests.accept(query(3));
    expect(sent.map((s) => [s.frame, s.again])).toEqual([["2002 3 899999", true]]);
  });
});
