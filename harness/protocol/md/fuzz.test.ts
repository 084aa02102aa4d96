import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WireError } from "../../errors.ts";
import { CipherKey } from "../cts/crypto.ts";
import { ctsErrorCodes } from "../cts/errors.ts";
import {
  decoderCaptured as captured,
  DECODER_DEVICE as DEVICE,
} from "../mc/testing/hostile/decoder-target.ts";
import { hostileFrames } from "../mc/testing/hostile/index.ts";
import {
  decodeSearchRequest,
  decodeSearchResponse,
  encodeSearchRequest,
  encodeSearchResponse,
  flagOrders,
} from "./discovery.ts";
import { mdStructErrorCodes } from "./errors.ts";
import { decodeLanFrame, encodeLanFrame } from "./lan-frame.ts";

/**
 * Md decoder fuzz: the hostile CTS frames of the Mc fuzzer against the LAN frame decoder (in clear and sealed), and
 * structure-aware mutations of valid discovery structs (bytes flipped, length fields changed, cut, grown) against the
 * struct decoders. Whatever the bytes: a message or a typed error with a documented code, never a throw.
 */

const lanKey = CipherKey.fromLanKey(Buffer.from("3db0486c55b95f0037a8a8e420ede58c", "hex"));
const frames = hostileFrames({ keys: [DEVICE], captured, maxFrameLength: 8 * 1024, maxDepth: 6000 });
const lineOf = (bytes: Buffer) => (bytes.subarray(-2).toString() === "\r\n" ? bytes.subarray(0, -2) : bytes);
const validStructs = [
  encodeSearchRequest({ model: "CT-AC-01", timestamp: 1700000000, platform: 0 }),
  encodeSearchRequest({ model: "", timestamp: 0, platform: 65535 }),
  encodeSearchResponse({
    code: 0,
    deviceId: "e01da5e30000000000000000",
    mac: "06:01:02:03:04:05",
    model: "CT-AC-01",
    protocol: 0,
    lanControl: 1,
    onConfig: 1,
    bindKey: 0x0102030405060708n,
  }),
];
/** A valid struct with one mutation: a byte set, a cut, bytes appended, or a length field changed. */
const mutatedStruct = fc
  .tuple(
    fc.constantFrom(...validStructs),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom("set", "cut", "grow", "length"),
    fc.uint8Array({ maxLength: 40 }),
  )
  .map(([base, at, value, how, extra]) => {
    const bytes = Buffer.from(base);
    const i = at % bytes.length;
    if (how === "set") bytes[i] = value;
    if (how === "cut") return bytes.subarray(0, i);
    if (how === "grow") return Buffer.concat([bytes, extra]);
    // The length prefixes sit at 0 (search) or 2 (answer): the struct no longer agrees with itself.
    if (how === "length") bytes[base === validStructs[2] ? 2 : 0] = value;
    return bytes;
  });
const lanDocumented = new Set<string>(ctsErrorCodes);
const structDocumented = new Set<string>(mdStructErrorCodes);

function expectTyped(result: { ok: true } | { ok: false; error: unknown }, documented: Set<string>): void {
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(WireError);
  expect(documented).toContain((result.error as WireError).code);
}

describe("Md decoders under hostile input never throw and answer with documented error codes", () => {
  it("decodeLanFrame, in clear and with a lanKey, on hostile CTS frames and on sealed frames cut anywhere", () => {
    const sealed = withoutCrlfOf(encodeLanFrame({ cmd: "query", to: "D1", mid: "1" }, lanKey));
    fc.assert(
      fc.property(frames, fc.nat(), (frame, cut) => {
        const line = lineOf(frame.bytes);
        expectTyped(decodeLanFrame(line, undefined), lanDocumented);
        expectTyped(decodeLanFrame(line, lanKey), lanDocumented);
        expectTyped(decodeLanFrame(sealed.subarray(0, cut % (sealed.length + 1)), lanKey), lanDocumented);
      }),
      { numRuns: 400 },
    );
  });

  it("decodeSearchRequest and decodeSearchResponse, on mutated structs and on hostile frames' bytes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedStruct,
          frames.map((f) => f.bytes),
        ),
        fc.constantFrom(...flagOrders),
        (bytes, order) => {
          expectTyped(decodeSearchRequest(bytes), structDocumented);
          expectTyped(decodeSearchResponse(bytes, order), structDocumented);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

function withoutCrlfOf(frame: Buffer): Buffer {
  return frame.subarray(0, -2);
}
