// Runs <count> heartbeat round trips through hilfarm's codec alone (bench/frame-cost/codec-round-trip.ts) and exits:
// bench:instructions counts two such runs under cachegrind, and their difference over the difference in round trips
// is the codec floor in instructions. The sources load as hilfarm's command line loads them without its bundle
// (bin/ts-hooks.mjs, from its cache of stripped sources: a first run fills it).
//   node bench/instructions/codec-run.mjs <count>
import { register } from "node:module";

register("../../bin/ts-hooks.mjs", import.meta.url);
const { codecRoundTripper } = await import("../frame-cost/codec-round-trip.ts");
const count = Number(process.argv[2]);
if (!(Number.isInteger(count) && count > 0))
  throw new Error(`codec-run: <count> must be a whole number above 0, got ${process.argv[2]}`);
const roundTrip = codecRoundTripper();
for (let n = 0; n < count; n++) roundTrip(n);
