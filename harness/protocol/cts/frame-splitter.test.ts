import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameSplitter } from "./frame-splitter.ts";

/** The lines of `chunks`, each pushed from one buffer that is overwritten after every push (as a reader's is). */
function linesFromOneBuffer(chunks: Uint8Array[]): string[] {
  const splitter = new FrameSplitter(1024);
  const reused = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const lines: string[] = [];
  for (const chunk of chunks) {
    reused.set(chunk);
    for (const out of splitter.push(reused.subarray(0, chunk.length)))
      if (out.ok) lines.push(out.line.toString("latin1"));
    reused.fill(0x2a);
  }
  return lines;
}

describe("FrameSplitter with a reused read buffer", () => {
  it("a line split over two reads survives the buffer being overwritten in between", () => {
    expect(linesFromOneBuffer([Buffer.from("CTS{par"), Buffer.from("t}\r\nCTS{b}\r\n")])).toEqual([
      "CTS{part}",
      "CTS{b}",
    ]);
  });

  it("any cut of a stream of lines gives those lines", () => {
    const line = fc.string({ unit: fc.constantFrom("C", "T", "S", "{", "}", "x", "\r"), minLength: 1 });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const stream = Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
          const at = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => stream.subarray(from, at[i] ?? stream.length));
          expect(linesFromOneBuffer(chunks)).toEqual(lines);
        },
      ),
    );
  });
});
