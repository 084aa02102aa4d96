import { WireError } from "../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../protocol/cts/envelope.ts";
import { FrameSplitter } from "../protocol/cts/frame-splitter.ts";

export type Framed = { ok: true; frame: Buffer } | { ok: false; error: WireError };

/**
 * Turns what a transport delivers into frames: chunks of a byte stream (TCP, a UART) or whole datagrams. A stream
 * framer keeps the part of a frame that has not ended yet, so each link gets one of its own; a datagram framer keeps
 * nothing, and one serves every link. A TCP link's framer must neither keep nor return views of the bytes it is
 * pushed: the link reads into a buffer that its next read refills (`crlfFramer` copies; the datagram framers do not).
 */
export interface Framer {
  push(bytes: Uint8Array): Framed[];
}

export type FramerFactory = () => Framer;

/** CTS frames on a byte stream: each ends with CRLF (5.2), none longer than `maxFrameLength`. */
export function crlfFramer(maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH): FramerFactory {
  return () => {
    const splitter = new FrameSplitter(maxFrameLength);
    return {
      push: (bytes) =>
        splitter.push(bytes).map((split): Framed => (split.ok ? { ok: true, frame: split.line } : split)),
    };
  };
}

const hasCrlf = (bytes: Buffer) =>
  bytes.length >= 2 && bytes[bytes.length - 2] === 0x0d && bytes[bytes.length - 1] === 0x0a;

/** CTS over UDP: one frame per datagram, its CRLF optional (5.2). Keeps nothing between datagrams: one for all links. */
export function ctsDatagramFramer(maxFrameLength = Number.POSITIVE_INFINITY): FramerFactory {
  const framer: Framer = {
    push: (bytes) => {
      const datagram = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const frame = hasCrlf(datagram) ? datagram.subarray(0, -2) : datagram;
      return [frame.length > maxFrameLength ? tooLong(maxFrameLength) : { ok: true, frame }];
    },
  };
  return () => framer;
}

/** Binary messages, one per datagram, bytes as they came (the decoder of the interface reads the structs). */
export function datagramFramer(maxLength = 65_507): FramerFactory {
  const framer: Framer = {
    push: (bytes) => {
      const frame = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return [frame.length > maxLength ? tooLong(maxLength) : { ok: true, frame }];
    },
  };
  return () => framer;
}

function tooLong(max: number): Framed {
  return { ok: false, error: new WireError("FRAME_TOO_LONG", `frame longer than the ${max}-byte limit`) };
}
