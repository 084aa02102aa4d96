/**
 * How often chance alone splits the pairs this lopsidedly or more, either way, were the two sides the same: the
 * two-sided sign test over the pairs in which the sides differed (ties left out), each such pair a fair coin.
 * 10 of 10 pairs one way: 2/1024, about 0.002; 7 to 3: 352/1024, about 0.34.
 */
export function signTestP(higher: number, lower: number): number {
  const differed = higher + lower;
  const fewer = Math.min(higher, lower);
  let splits = 0;
  let choose = 1;
  for (let i = 0; i <= fewer; i++) {
    splits += choose;
    choose = (choose * (differed - i)) / (i + 1);
  }
  return Math.min(1, (2 * splits) / 2 ** differed);
}

/** The least p that `pairs` pairs can give: every pair one way. */
export function leastSignTestP(pairs: number): number {
  return signTestP(pairs, 0);
}

/** A p as the tables print it: two significant digits, 1 as "1". */
export function showP(p: number): string {
  return p >= 1 ? "1" : p.toPrecision(2);
}
