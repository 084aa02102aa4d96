import fc from "fast-check";

// One seed for every property of a test file; printed so a failure can be replayed with HILFARM_SEED=<seed>.
const fromEnv = process.env.HILFARM_SEED;
const seed = fromEnv === undefined ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : Number(fromEnv);
fc.configureGlobal({ seed, numRuns: Number(process.env.HILFARM_NUM_RUNS ?? 100) });
console.log(`fast-check seed ${seed} (replay: HILFARM_SEED=${seed} npm test)`);
