import { describe, expect, it } from "vitest";
import type { McCode } from "../protocol/mc/packet-types.ts";
import { exchangesOf } from "./exchanges.ts";
import type { RecordedFrame } from "./recording.ts";

let line = 1;
const frame = (from: "device" | "platform", code: number, sequence: string, at = 0): RecordedFrame => ({
  line: ++line,
  at,
  from,
  code: code as McCode,
  name: "",
  sequence,
  body: { sequence },
});

describe("exchangesOf", () => {
  it("pairs each request with the response of its code and sequence, from either side, in first-send order", () => {
    const frames = [
      frame("device", 1000, "5"),
      frame("platform", 2005, "900"),
      frame("platform", 1001, "5"),
      frame("device", 2004, "900"),
    ];
    const exchanges = exchangesOf(frames);
    expect(exchanges.map((e) => [e.request.code, e.answer?.code])).toEqual([
      [1000, 1001],
      [2005, 2004],
    ]);
  });

  it("takes a request sent again with its sequence before any answer as a resend (5.2), and keeps unanswered ones", () => {
    const frames = [
      frame("device", 2006, "7", 0),
      frame("device", 2006, "7", 10_000),
      frame("platform", 2007, "7", 10_010),
      frame("device", 2008, "8", 11_000),
      frame("platform", 2009, "99", 11_010),
    ];
    const [report, alarm] = exchangesOf(frames);
    expect(report?.resends.map((f) => f.at)).toEqual([10_000]);
    expect(report?.answer?.at).toBe(10_010);
    expect(alarm?.answer).toBeUndefined();
  });
});
