/** The settings `npm run bench:farm` reads from the environment, in the order its "Made by" line gives them. */
export const FARM_BENCH_SETTINGS = [
  "BENCH_FARM_DEVICES",
  "BENCH_FARM_RAMP",
  "BENCH_FARM_STEADY",
  "BENCH_FARM_TRANSPORT",
  "BENCH_FARM_PLATFORM_PROCESSES",
  "BENCH_FARM_WORKERS",
  "BENCH_FARM_IDLE_WORKERS",
  "BENCH_FARM_SEPARATE_CPUS",
  "BENCH_FARM_RAMP_HOLD",
  "BENCH_FARM_WORKER_NICENESS",
  "BENCH_RAMP_PERF",
  "HILFARM_NODE_FLAGS",
] as const;

/** A value as a shell word: quoted when it holds a space. */
export const shellWord = (value: string) => (/\s/.test(value) ? `"${value}"` : value);

/** bench:farm's settings given in this environment, as `NAME=value` words, in the "Made by" line's order. */
export function settingsInEnvironment(): string[] {
  return FARM_BENCH_SETTINGS.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [`${name}=${shellWord(value)}`];
  });
}

/**
 * One side's settings of a paired comparison, from `name`'s `NAME=value` words (a value without spaces), each NAME one
 * of bench:farm's settings; empty when unset. bench:farm checks each value as it would from the environment.
 */
export function sideSettings(name: string, text: string | undefined): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const word of (text ?? "").split(/\s+/).filter(Boolean)) {
    const [, key, value] = /^([A-Z_]+)=(\S*)$/.exec(word) ?? [];
    if (key === undefined || value === undefined || !(FARM_BENCH_SETTINGS as readonly string[]).includes(key))
      throw new Error(
        `${name} must be NAME=value words, each NAME one of bench:farm's settings (${FARM_BENCH_SETTINGS.join(", ")}), got ${word}`,
      );
    settings[key] = value;
  }
  return settings;
}

/** A side's settings as the section gives them: `NAME=value` words, or bench:farm's own defaults. */
export function sideText(settings: Record<string, string>): string {
  const words = Object.entries(settings).map(([key, value]) => `\`${key}=${value}\``);
  return words.length === 0 ? "bench:farm's defaults" : words.join(" ");
}
