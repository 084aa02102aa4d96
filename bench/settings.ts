import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The number a setting's text gives (NaN for text that is empty or blank: `Number("")` would read it as 0). */
function settingNumber(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** A benchmark's setting from the environment: a whole number in `min`..`max` (`min` 1 unless given), `fallback` when unset. */
export function wholeNumberSetting(name: string, fallback: number, max: number, min = 1): number {
  const text = process.env[name];
  const value = settingNumber(text, fallback);
  if (!(Number.isInteger(value) && value >= min && value <= max))
    throw new Error(
      `${name} must be a whole number in ${min}..${max}, got ${text ?? `the default ${fallback}`}`,
    );
  return value;
}

/** A number in `min`..`max` from the environment, fractions allowed (a rate, seconds); `fallback` when unset. */
export function numberSetting(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  const value = settingNumber(text, fallback);
  if (!(Number.isFinite(value) && value >= min && value <= max))
    throw new Error(`${name} must be a number in ${min}..${max}, got ${text ?? `the default ${fallback}`}`);
  return value;
}

/**
 * A setting naming another hilfarm checkout with its dependencies installed (a `git worktree` with `node_modules`),
 * resolved; undefined when unset. Its processes run that checkout's `bin/hilfarm.mjs`.
 */
export function checkoutSetting(name: string): string | undefined {
  const text = process.env[name];
  if (text === undefined) return undefined;
  if (!existsSync(join(text, "bin/hilfarm.mjs")))
    throw new Error(
      `${name} must name another hilfarm checkout (a directory with bin/hilfarm.mjs), got ${text}`,
    );
  const dir = resolve(text);
  if (!existsSync(join(dir, "node_modules")))
    throw new Error(`${name}: ${dir} has no node_modules: run npm ci there or link this checkout's`);
  return dir;
}

/** A setting that is one of `choices`; `fallback` when unset (undefined: the choice is left to what runs). */
export function choiceSetting<T extends string, F extends T | undefined>(
  name: string,
  choices: readonly T[],
  fallback: F,
): T | F {
  const text = process.env[name];
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text))
    throw new Error(`${name} must be one of ${choices.join(", ")}, got ${text}`);
  return text as T;
}
