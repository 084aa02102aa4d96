/**
 * A process's instructions per round trip at one rate mix two costs: the work of each round trip, and the work it
 * does every second whatever the rate (timer turns, reports, a delay probe), shared out over that second's round
 * trips. Counted at two rates, count = perRoundTrip + perSecond / rate gives both.
 */
export interface CountAtRate {
  /** Instructions per round trip counted at this rate. */
  perRoundTrip: number;
  /** Round trips a second. */
  rate: number;
}

export interface RateSplit {
  /** Instructions per round trip, the work per second taken out. */
  perRoundTrip: number;
  /** Instructions a second that do not depend on the rate. */
  perSecond: number;
}

export function splitByRate(one: CountAtRate, other: CountAtRate): RateSplit {
  const spread = 1 / one.rate - 1 / other.rate;
  if (!(Number.isFinite(spread) && Math.abs(spread) > 0))
    throw new RangeError(
      `two different rates are needed to split a count, got ${one.rate} and ${other.rate}`,
    );
  const perSecond = (one.perRoundTrip - other.perRoundTrip) / spread;
  return { perRoundTrip: one.perRoundTrip - perSecond / one.rate, perSecond };
}
