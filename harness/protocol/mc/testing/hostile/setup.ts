import type fc from "fast-check";
import { DEFAULT_MAX_FRAME_LENGTH } from "../../../cts/envelope.ts";
import type { HostileOptions } from "./kinds.ts";
import { contextsOf, type SealContext } from "./seal.ts";

/** What every kind's generators are built from: the options resolved once. */
export interface HostileSetup {
  /** The target's frame limit (bytes, CRLF excluded). */
  max: number;
  maxDepth: number;
  /** Where a body can be sealed so the target decrypts it; undefined without keys. */
  context: fc.Arbitrary<SealContext> | undefined;
  /** The same, for devices the run may disturb only (schema-valid hostile bodies). */
  disturbable: fc.Arbitrary<SealContext> | undefined;
  captured: readonly Uint8Array[];
  /** A token for clear envelopes: a live one where the keys have one. */
  tokenClear: string;
  /** A `data` field that is Base64 of one AES block. */
  someData: string;
  /** Body bytes that fit in a frame once sealed: Base64 turns 3 into 4, AES adds up to 16, the envelope ~100. */
  bodyRoom: number;
}

export function setupOf(options: HostileOptions): HostileSetup {
  const max = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  return {
    max,
    maxDepth: options.maxDepth ?? 10_000,
    context: contextsOf(options.keys ?? []),
    disturbable: contextsOf((options.keys ?? []).filter((k) => k.validBodies)),
    captured: options.captured ?? [],
    tokenClear: (options.keys ?? []).find((k) => k.token !== undefined)?.token ?? "qwertyuiop123456",
    someData: "AAAAAAAAAAAAAAAAAAAAAA==",
    bodyRoom: Math.max(0, Math.floor(((max - 200) * 3) / 4)),
  };
}
