/** The p-th percentile (0-100) of samples, nearest rank; undefined for none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export interface Histogram {
  /** Lower edge of each bin, ms. */
  edges: number[];
  counts: number[];
  width: number;
}

/** Equal-width bins from 0 to the largest sample (at least 1 ms wide), `bins` of them at most. */
export function histogram(samples: readonly number[], bins = 20): Histogram {
  if (samples.length === 0) return { edges: [], counts: [], width: 0 };
  const max = samples.reduce((m, s) => Math.max(m, s), 0);
  const width = Math.max(1, Math.ceil((max + 1) / bins));
  const n = Math.max(1, Math.ceil((max + 1) / width));
  const counts = new Array<number>(n).fill(0);
  for (const s of samples) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(s / width)));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return { edges: counts.map((_, i) => i * width), counts, width };
}
