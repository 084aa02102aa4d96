/** Figures are judged as printed: a ratio shown as 1.50 meets "within 1.5"; a p99 shown as 10.00 ms misses "under 10". */
export const twoPlaces = (n: number) => Math.round(n * 100) / 100;

/**
 * An aim judged over a benchmark's alternated rounds (aims 3 and 4 of `npm run bench`): met in every round, met by
 * the median of the rounds and not in every round, or not met ("not measured" without rounds). `meets` takes a
 * figure as printed; `spread` says where the rounds fell.
 */
export function roundsVerdict(
  rounds: readonly number[],
  median: number,
  meets: (figure: number) => boolean,
  spread: string,
): string {
  if (rounds.length === 0) return "not measured";
  if (rounds.every((round) => meets(twoPlaces(round)))) return "met in every round";
  if (meets(twoPlaces(median))) return `met by the median, not in every round (${spread})`;
  return "**not met**";
}
