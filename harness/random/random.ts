import { randomBytes, randomInt } from "node:crypto";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/**
 * Randomness for sequences, tokens and keys. One seed per run, printed in every report, reproduces the run;
 * `fork(label)` gives a part of the run (a device, a connection) its own stream that depends only on the seed
 * and the label, not on how much the rest of the run has drawn.
 */
export interface Random {
  /** The seed, or `undefined` for the cryptographic source. */
  readonly seed: number | undefined;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A random starting sequence, 0..65535 (5.2.2 item 5). */
  sequence(): number;
  /** `length` characters from `alphabet` (default: letters and digits). */
  string(length: number, alphabet?: string): string;
  bytes(length: number): Buffer;
  fork(label: string): Random;
}

export const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 16 characters, as `token` and `sessionKey` (docs/protocol-readings.md, "Randomness"). */
export function newToken(random: Random): string {
  return random.string(16);
}

/** A fresh seed for a run that was given none (print it, so the run can be repeated). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/** Characters a call's arguments can hold at once, well under every engine's limit. */
const CHARACTERS_PER_CALL = 4096;

/**
 * The string of UTF-16 code units `codes`. Made at once rather than a character at a time: `+=` builds a chain of
 * pieces that a long-kept string (a fleet's PINs, a session's token) holds until it is flattened, about 1 KB for a
 * PIN of 32.
 */
function fromCharCodes(codes: number[]): string {
  if (codes.length <= CHARACTERS_PER_CALL) return String.fromCharCode(...codes);
  let out = "";
  for (let i = 0; i < codes.length; i += CHARACTERS_PER_CALL)
    out += String.fromCharCode(...codes.slice(i, i + CHARACTERS_PER_CALL));
  return out;
}

/** FNV-1a, 32 bits: derives a fork's seed from the parent seed and a label. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function seededRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return new SeededRandom(seed);
}

/** A class rather than a literal of closures: a farm holds one per device, and methods shared on the prototype cost it nothing. */
class SeededRandom implements Random {
  private readonly rng: RandomGenerator;

  constructor(readonly seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  sequence(): number {
    return this.int(0, 65535);
  }

  string(length: number, alphabet = ALPHANUMERIC): string {
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) codes[i] = alphabet.charCodeAt(this.int(0, alphabet.length - 1));
    return fromCharCodes(codes);
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  fork(label: string): Random {
    return seededRandom(fnv1a(`${this.seed}/${label}`));
  }
}

/** For deployments that want unpredictable tokens and keys; not reproducible. */
export function cryptoRandom(): Random {
  const random: Random = {
    seed: undefined,
    int: (min, max) => randomInt(min, max + 1),
    sequence: () => randomInt(0, 65536),
    string: (length, alphabet = ALPHANUMERIC) => {
      const codes = new Array<number>(length);
      for (let i = 0; i < length; i++) codes[i] = alphabet.charCodeAt(randomInt(0, alphabet.length));
      return fromCharCodes(codes);
    },
    bytes: (length) => randomBytes(length),
    fork: () => random,
  };
  return random;
}
