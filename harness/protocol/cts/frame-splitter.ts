import type { WireError } from "../../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "./envelope.ts";
import { ctsError } from "./errors.ts";

export type SplitOutcome = { ok: true; line: Buffer } | { ok: false; error: WireError };

const CR = 0x0d;
const LF = 0x0a;

/**
 * Splits a TCP byte stream into frame lines on CRLF (5.2; JSON and Base64 contain no raw CR/LF). Keeps no view of a
 * pushed chunk once `push` returns: a reader may fill the same buffer with every read.
 * A line longer than `maxFrameLength` gives one `FRAME_TOO_LONG` and is discarded up to its CRLF:
 * the splitter never buffers without bound. Empty lines are skipped.
 */
export class FrameSplitter {
  private readonly maxFrameLength: number;
  private chunks: Buffer[] = [];
  private length = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;
  /** Last byte seen was CR (a CRLF may span two chunks). */
  private pendingCr = false;

  constructor(maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {
    this.maxFrameLength = maxFrameLength;
  }

  /** Bytes held waiting for a CRLF. */
  get buffered(): number {
    return this.length;
  }

  push(chunk: Uint8Array): SplitOutcome[] {
    const out: SplitOutcome[] = [];
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    // From one LF to the next with a native search: a frame is long and holds one.
    for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) {
      if (i > 0 ? bytes[i - 1] === CR : this.pendingCr) {
        // The common case, a whole line in this chunk (i > start: its CR too), is copied once, with nothing between.
        if (this.length === 0 && !this.discarding && i > start) this.wholeLine(bytes, start, i - 1, out);
        else {
          this.appendSegment(bytes.subarray(start, i), out);
          this.endLine(out);
        }
        start = i + 1;
      }
    }
    // What waits for its CRLF in a later chunk is copied: the reader may reuse this chunk's buffer for the next read.
    this.appendSegment(bytes.subarray(start), out, true);
    if (bytes.length > 0) this.pendingCr = bytes[bytes.length - 1] === CR;
    return out;
  }

  private appendSegment(segment: Buffer, out: SplitOutcome[], copy = false): void {
    if (segment.length === 0 || this.discarding) return;
    this.length += segment.length;
    // +1: a trailing CR may still turn out to be part of the terminator.
    if (this.length > this.maxFrameLength + 1) {
      out.push({ ok: false, error: tooLong(this.maxFrameLength) });
      this.chunks = [];
      this.length = 0;
      this.discarding = true;
      return;
    }
    this.chunks.push(copy ? Buffer.from(segment) : segment);
  }

  /** The line `bytes[start, end)` (its CR at `end`), nothing held before it: copied out as the whole line. */
  private wholeLine(bytes: Buffer, start: number, end: number, out: SplitOutcome[]): void {
    const length = end - start;
    if (length > this.maxFrameLength) out.push({ ok: false, error: tooLong(this.maxFrameLength) });
    else if (length > 0) {
      const line = Buffer.allocUnsafe(length);
      bytes.copy(line, 0, start, end);
      out.push({ ok: true, line });
    }
  }

  private endLine(out: SplitOutcome[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const joined =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    this.length = 0;
    // Copy: the line must not pin the caller's (possibly pooled) chunk buffers.
    const line = Buffer.from(joined.subarray(0, joined.length - 1));
    if (line.length > this.maxFrameLength) out.push({ ok: false, error: tooLong(this.maxFrameLength) });
    else if (line.length > 0) out.push({ ok: true, line });
  }
}

function tooLong(max: number): WireError {
  return ctsError("FRAME_TOO_LONG", `frame longer than the ${max}-byte limit (maxFrameLength)`);
}
