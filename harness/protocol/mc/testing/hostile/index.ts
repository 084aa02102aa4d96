import fc from "fast-check";
import { fieldKinds } from "./fields.ts";
import { framingKinds } from "./framing.ts";
import {
  type HostileFrame,
  type HostileKind,
  type HostileOptions,
  hostileKinds,
  type KindArbitraries,
} from "./kinds.ts";
import { nestingKinds } from "./nesting.ts";
import { replayKinds } from "./replays.ts";
import { sealedKinds } from "./sealed.ts";
import { setupOf } from "./setup.ts";
import { valueKinds } from "./values.ts";

/**
 * Structure-aware generators of hostile Mc frames: what a hostile tester sends to a decoder, a login
 * port, a connection port or a UDP socket. Every frame is built from the frame's own structure (prefix, envelope,
 * Base64, AES, body JSON, schema) so that it gets past the layers before the one it attacks: a deep body is sealed
 * with a PIN or session key the platform knows, so it reaches the JSON parser after decryption; a body with a
 * wrong-typed field reaches the schema check.
 *
 * The generators are parameterised by credentials (`HostileKeys`), so a live run can aim them at a real session.
 * Keys of a device that must keep its session (`validBodies: false`) only ever seal bodies that fail their schema:
 * a schema-valid body with those keys would be that device's own request, not hostile input (seal.ts, `guarded`).
 *
 * One file per kind of frame: nesting.ts, values.ts, fields.ts, sealed.ts, framing.ts, replays.ts.
 */

export { chunked } from "./chunks.ts";
export type { HostileFrame, HostileKeys, HostileKind, HostileOptions } from "./kinds.ts";
export { hostileKinds } from "./kinds.ts";
export { codePoints } from "./values.ts";

function build(options: HostileOptions): KindArbitraries {
  const setup = setupOf(options);
  return {
    ...nestingKinds(setup),
    ...valueKinds(setup),
    ...fieldKinds(setup),
    ...sealedKinds(setup),
    ...framingKinds(setup),
    ...replayKinds(setup),
  };
}

/** Hostile frames of every kind the options allow, each tagged with the kind that made it. */
export function hostileFrames(options: HostileOptions = {}): fc.Arbitrary<HostileFrame> {
  const built = build(options);
  const wanted = options.kinds ?? hostileKinds;
  const arbitraries = wanted.flatMap((kind) => {
    const arbitrary = built[kind];
    return arbitrary === undefined ? [] : [arbitrary.map((bytes): HostileFrame => ({ kind, bytes }))];
  });
  if (arbitraries.length === 0) throw new Error(`no hostile frame kind available among ${wanted.join(", ")}`);
  return fc.oneof(...arbitraries);
}

/** The kinds `hostileFrames(options)` can produce (some need keys or captured frames). */
export function availableKinds(options: HostileOptions = {}): HostileKind[] {
  const built = build(options);
  return (options.kinds ?? hostileKinds).filter((kind) => built[kind] !== undefined);
}
