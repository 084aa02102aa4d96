import fc from "fast-check";
import { excerpt, showValue, WireError } from "../harness/errors.ts";
import { CipherKey } from "../harness/protocol/cts/crypto.ts";
import { FrameSplitter } from "../harness/protocol/cts/frame-splitter.ts";
import { parseJsonSafely } from "../harness/protocol/json-safe.ts";
import { decodeFrameLine, openEnvelope } from "../harness/protocol/mc/codec.ts";
import { parseEnvelope } from "../harness/protocol/mc/envelope.ts";
import { McStreamDecoder } from "../harness/protocol/mc/stream-decoder.ts";
import {
  decoderCaptured as captured,
  DECODER_DEVICE as DEVICE,
  documentedCodes,
  decoderKeyFor as keyFor,
  decoderSessionKey as sessionKey,
} from "../harness/protocol/mc/testing/hostile/decoder-target.ts";
import { hostileFrames } from "../harness/protocol/mc/testing/hostile/index.ts";
import { decodeSearchResponse } from "../harness/protocol/md/discovery.ts";
import { mdStructErrorCodes } from "../harness/protocol/md/errors.ts";
import { decodeLanFrame } from "../harness/protocol/md/lan-frame.ts";

/**
 * Part 1 of `npm run fuzz` (bench/fuzz.ts), in one process: hostile frames fed to every decoder of the Mc core. A
 * throw, or an error code that is not a documented CtsErrorCode, is a crash. fuzz-decoder-workers.ts runs this in
 * one process per core.
 */

const arbitrary = hostileFrames({ keys: [DEVICE], captured });

export interface DecoderStats {
  frames: number;
  ms: number;
  crashes: number;
  undocumented: number;
  codes: Record<string, number>;
  firstCrash?: string;
}
export const decoders = [
  "parseEnvelope",
  "decodeFrameLine",
  "openEnvelope",
  "McStreamDecoder.push",
  "FrameSplitter.push",
  "parseJsonSafely",
  "showValue",
  "excerpt",
  "decodeLanFrame",
  "decodeSearchResponse",
] as const;
const lanKey = CipherKey.fromLanKey(Buffer.from("3db0486c55b95f0037a8a8e420ede58c", "hex"));
/** The Mc core's documented codes, and the Md struct decoder's. */
const documented = new Set<string>([...documentedCodes, ...mdStructErrorCodes]);
export type Decoder = (typeof decoders)[number];
export interface DecoderRun {
  generated: number;
  generationMs: number;
  wallMs: number;
  stats: Record<Decoder, DecoderStats>;
}

const withoutCrlf = (bytes: Buffer) =>
  bytes.subarray(-2).toString() === "\r\n" ? bytes.subarray(0, -2) : bytes;

/** `frames` hostile frames (seeds `seedBase` + batch), each fed to every decoder. */
export function fuzzDecoders(
  frames: number,
  seedBase: number,
  deadlineMs: number,
  label: string,
): DecoderRun {
  const stats = Object.fromEntries(
    decoders.map((d) => [d, { frames: 0, ms: 0, crashes: 0, undocumented: 0, codes: {} }]),
  ) as Record<Decoder, DecoderStats>;
  const stream = new McStreamDecoder({ keyFor });
  const splitter = new FrameSplitter();
  // Chunk boundaries for the stream decoders: a small deterministic generator, cheaper than fast-check per frame.
  let chunkState = seedBase >>> 0 || 1;
  const nextCut = (length: number) => {
    chunkState ^= chunkState << 13;
    chunkState ^= chunkState >>> 17;
    chunkState ^= chunkState << 5;
    return (chunkState >>> 0) % (length + 1);
  };
  const run = (decoder: Decoder, bytes: Buffer, call: () => Array<{ ok: boolean; error?: unknown }>) => {
    const s = stats[decoder];
    const started = performance.now();
    try {
      for (const result of call()) {
        if (result.ok) continue;
        const code = result.error instanceof WireError ? result.error.code : "not a WireError";
        s.codes[code] = (s.codes[code] ?? 0) + 1;
        if (!documented.has(code)) s.undocumented++;
      }
    } catch (error) {
      s.crashes++;
      s.firstCrash ??= `${(error as Error).message} on ${excerpt(bytes, 80)}`;
    }
    s.ms += performance.now() - started;
    s.frames++;
  };
  const started = performance.now();
  const deadline = started + deadlineMs;
  let generated = 0;
  let generationMs = 0;
  for (let batch = 0; generated < frames && performance.now() < deadline; batch++) {
    const t = performance.now();
    const sample = fc.sample(arbitrary, {
      seed: seedBase + batch,
      numRuns: Math.min(1000, frames - generated),
    });
    generationMs += performance.now() - t;
    for (const { bytes } of sample) {
      generated++;
      const line = withoutCrlf(bytes);
      run("parseEnvelope", bytes, () => [parseEnvelope(line)]);
      run("decodeFrameLine", bytes, () => [decodeFrameLine(line, keyFor)]);
      run("openEnvelope", bytes, () => {
        const envelope = parseEnvelope(line);
        const key = envelope.ok ? keyFor(envelope.value) : undefined;
        return envelope.ok && key !== undefined
          ? [openEnvelope(envelope.value, key)]
          : [openEnvelope({ code: 1000, data: line.toString("latin1") }, sessionKey)];
      });
      const cut = nextCut(bytes.length);
      run("McStreamDecoder.push", bytes, () => [
        ...stream.push(bytes.subarray(0, cut)),
        ...stream.push(bytes.subarray(cut)),
      ]);
      run("FrameSplitter.push", bytes, () => [
        ...splitter.push(bytes.subarray(0, cut)),
        ...splitter.push(bytes.subarray(cut)),
      ]);
      const text = line.subarray(3).toString("utf8");
      let parsed: unknown = text;
      run("parseJsonSafely", bytes, () => {
        const json = parseJsonSafely(text);
        if (json.ok) parsed = json.value;
        return [];
      });
      run("showValue", bytes, () => {
        showValue(parsed);
        return [];
      });
      run("excerpt", bytes, () => {
        excerpt(bytes);
        excerpt(text);
        return [];
      });
      run("decodeLanFrame", bytes, () => [decodeLanFrame(line, undefined), decodeLanFrame(line, lanKey)]);
      run("decodeSearchResponse", bytes, () => [
        decodeSearchResponse(bytes),
        decodeSearchResponse(bytes.subarray(cut)),
      ]);
    }
    if (batch % 50 === 49)
      console.error(`${label}: ${generated} frames, ${Math.round((performance.now() - started) / 1000)} s`);
  }
  return { generated, generationMs, wallMs: performance.now() - started, stats };
}
