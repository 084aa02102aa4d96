import { timingSafeEqual } from "node:crypto";
import { showValue, UsageError } from "../../errors.ts";
import { CipherKey, encrypt } from "../cts/crypto.ts";

/** 6.2.2: `liveTime`, the lanKey's lifetime in seconds (the spec's example: "300"). */
export const DEFAULT_LAN_KEY_LIVE_TIME_S = 300;

// 6.2.2: `rand` is a 16-digit random number, written as 16 ASCII digits.
const LAN_RAND = /^[0-9]{16}$/;
// The lanKey's 16 bytes as 32 lowercase hex characters.
const LAN_KEY = /^[0-9a-f]{32}$/;

/** A valid `rand`: exactly 16 ASCII digits. */
export function isLanRand(value: unknown): value is string {
  return typeof value === "string" && LAN_RAND.test(value);
}

/**
 * 6.2.2: lanKey = AES(rand, PIN): the first 16 bytes of AES-128-CBC of the 16 ASCII bytes of `rand`, with the PIN's
 * key and IV as for the Mc login, as 32 lowercase hex characters. Throws `UsageError` naming `rand` or `pin`.
 */
export function lanKeyFor(rand: string, pin: string): string {
  if (!isLanRand(rand)) {
    throw new UsageError("rand", `rand must be 16 ASCII digits, got ${showValue(rand)}`);
  }
  return encrypt(CipherKey.fromPin(pin), Buffer.from(rand, "ascii")).subarray(0, 16).toString("hex");
}

/**
 * What a device does with an auth request (6.2.2): whether `lanKey` is the one the platform gives for `rand` with its
 * PIN. Encrypting `rand` and comparing is the same test as decrypting `lanKey` and comparing with `rand` (one AES
 * block, a permutation). Total: any input gives true or false; the comparison takes the same time wherever the two
 * keys differ.
 */
export function lanKeyMatches(rand: string, lanKey: string, pin: string): boolean {
  if (!isLanRand(rand) || typeof lanKey !== "string" || !LAN_KEY.test(lanKey)) return false;
  let expected: string;
  try {
    expected = lanKeyFor(rand, pin);
  } catch {
    return false;
  }
  return timingSafeEqual(Buffer.from(expected, "ascii"), Buffer.from(lanKey, "ascii"));
}

/** The key of every Md frame after auth: the lanKey's 16 bytes as key and IV. Throws `UsageError` naming `lanKey`. */
export function lanCipherKey(lanKey: string): CipherKey {
  if (typeof lanKey !== "string" || !LAN_KEY.test(lanKey)) {
    // A secret: its length is named, never its content.
    const got = typeof lanKey === "string" ? `${lanKey.length} characters` : typeof lanKey;
    throw new UsageError("lanKey", `lanKey must be 32 lowercase hex characters, got ${got}`);
  }
  return CipherKey.fromLanKey(Buffer.from(lanKey, "hex"));
}
