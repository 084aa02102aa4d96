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

  it("any cut of any stream gives the lines of the whole stream, and one FRAME_TOO_LONG per line past the limit", () => {
    const max = 6;
    /** What the whole stream holds: its CRLF-ended lines, the one left unended counted once it is past the limit. */
    const expected = (stream: string): string[] => {
      const parts = stream.split("\r\n");
      const pending = parts.pop() as string;
      const outcomes = parts.filter((l) => l.length > 0).map((l) => (l.length > max ? "too long" : l));
      // A held part is refused once longer than the limit and a CR that may begin its CRLF.
      return pending.length > max + 1 ? [...outcomes, "too long"] : outcomes;
    };
    fc.assert(
      fc.property(
        // Lines around the limit's length, a lone CR or LF among their bytes.
        fc
          .array(fc.string({ unit: fc.constantFrom("x", "y", "\r", "\n"), maxLength: max + 3 }), {
            maxLength: 8,
          })
          .map((lines) => lines.join("\r\n")),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          const stream = Buffer.from(text, "latin1");
          const at = [...new Set(cuts.map((c) => c % Math.max(1, stream.length)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => stream.subarray(from, at[i] ?? stream.length));
          const splitter = new FrameSplitter(max);
          const got = chunks.flatMap((chunk) =>
            splitter.push(Buffer.from(chunk)).map((o) => (o.ok ? o.line.toString("latin1") : "too long")),
          );
          expect(got).toEqual(expected(text));
        },
      ),
    );
  });
});
