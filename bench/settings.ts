/** A benchmark's setting from the environment: a whole number in `min`..`max` (`min` 1 unless given), `fallback` when unset. */
export function wholeNumberSetting(name: string, fallback: number, max: number, min = 1): number {
  const text = process.env[name];
  const value = text === undefined ? fallback : Number(text);
  if (!(Number.isInteger(value) && value >= min && value <= max))
    throw new Error(
      `${name} must be a whole number in ${min}..${max}, got ${text ?? `the default ${fallback}`}`,
    );
  return value;
}
