import { showValue, UsageError } from "../errors.ts";

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
