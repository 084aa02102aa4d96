import type { WireError } from "../../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH, type Framing } from "../cts/envelope.ts";
import { FrameSplitter } from "../cts/frame-splitter.ts";
import { type DecodedFrame, decodeFrameLine, type KeyResolver } from "./codec.ts";

export type StreamOutcome =
  | { ok: true; value: DecodedFrame; raw: Buffer }
  | { ok: false; error: WireError; raw?: Buffer };

export interface StreamDecoderOptions {
  keyFor: KeyResolver;
  framing?: Framing;
  maxFrameLength?: number;
}

/**
 * Bytes in arbitrary chunks -> decoded Mc messages and typed errors, in order.
 * Never throws. A bad frame is reported and skipped (5.2.2 item 6: dropped silently on the wire);
 * what the caller does with `FRAME_TOO_LONG` (drop the connection) is its decision.
 */
export class McStreamDecoder {
  private readonly splitter: FrameSplitter;
  private readonly keyFor: KeyResolver;
  private readonly framing: Framing;

  constructor(options: StreamDecoderOptions) {
    this.splitter = new FrameSplitter(options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
    this.keyFor = options.keyFor;
    this.framing = options.framing ?? "cts-json";
  }

  get buffered(): number {
    return this.splitter.buffered;
  }

  push(chunk: Uint8Array): StreamOutcome[] {
    return this.splitter.push(chunk).map((split): StreamOutcome => {
      if (!split.ok) return split;
      const decoded = decodeFrameLine(split.line, this.keyFor, this.framing);
      return decoded.ok
        ? { ok: true, value: decoded.value, raw: split.line }
        : { ...decoded, raw: split.line };
    });
  }
}
