/** A benchmark's setting from the environment: a whole number in 1..`max`, `fallback` when unset. */
export function wholeNumberSetting(name: string, fallback: number, max: number): number {
  const text = process.env[name];
  const value = text === undefined ? fallback : Number(text);
  if (!(Number.isInteger(value) && value >= 1 && value <= max))
    throw new Error(`${name} must be a whole number in 1..${max}, got ${text}`);
  return value;
}
