import { showValue, UsageError } from "../harness/errors.ts";

/** A commander option parser for an integer in [min, max]; anything else is a usage error naming option and value. */
export function integerOption(name: string, min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(name, `--${name} must be an integer in ${min}..${max}, got ${showValue(text)}`);
    }
    return n;
  };
}

export const portOption = (name: string) => integerOption(name, 0, 65535);

/** A 31-bit seed: what the platform's sequences, tokens and session keys start from. */
export const seed31 = integerOption("seed", 0, 2 ** 31 - 1);

/** Any non-negative integer, as a fleet file's `seed` (device ids, PINs, sequences). */
export function nonNegativeSeed(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError("seed", `--seed must be a non-negative integer, got ${showValue(text)}`);
  return n;
}
