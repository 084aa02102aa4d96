import { describe, expect, it } from "vitest";
import {
  classifySequence,
  isNextSequence,
  isRetransmissionOf,
  MAX_SEQUENCE,
  sequenceAfter,
} from "./sequence.ts";

describe("sequence arithmetic (5.2.2 item 5)", () => {
  it("65535 is followed by 0", () => {
    expect(sequenceAfter(MAX_SEQUENCE)).toBe(0);
    expect(sequenceAfter(0)).toBe(1);
    expect(isNextSequence(65535, 0)).toBe(true);
  });

  it("for every start value, 65536 nexts come back to it and no fewer do", () => {
    // Walk the orbit of 0: it visits all 65536 values once and closes after exactly 65536 steps, so every
    // start value lies on that one cycle and returns to itself after exactly 65536 nexts, never earlier.
    const seen = new Uint8Array(65536);
    let s = 0;
    let repeats = 0;
    for (let step = 0; step < 65536; step++) {
      if (seen[s] === 1) repeats++;
      seen[s] = 1;
      s = sequenceAfter(s);
    }
    expect(repeats).toBe(0);
    expect(s).toBe(0);
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it("65536 nexts return to the start, literally, for the edges and a spread of start values", () => {
    const starts = [0, 1, 32767, 32768, 65534, 65535, ...Array.from({ length: 64 }, (_, i) => i * 1021)];
    for (const start of starts) {
      let x = start;
      for (let i = 0; i < 65536; i++) x = sequenceAfter(x);
      expect(x, `start ${start}`).toBe(start);
    }
  });

  it("classifies a request's sequence against the last accepted one", () => {
    expect(classifySequence(undefined, 7)).toBe("first");
    expect(classifySequence(7, 8)).toBe("next");
    expect(classifySequence(65535, 0)).toBe("next");
    expect(classifySequence(8, 8)).toBe("retransmission");
    expect(isRetransmissionOf(0, 0)).toBe(true);
    expect(classifySequence(8, 10)).toBe("out-of-order");
    expect(classifySequence(0, 65535)).toBe("out-of-order");
  });
});
