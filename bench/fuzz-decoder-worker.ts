import { fuzzDecoders } from "./fuzz-decoders.ts";

/**
 * A decoder worker of `npm run fuzz`, started by fuzz-decoder-workers.ts: its share of the frames, from
 * HILFARM_FUZZ_WORKER (a `DecoderJob` as JSON), and its `DecoderRun` as one JSON line on stdout.
 */

export interface DecoderJob {
  frames: number;
  seedBase: number;
  deadlineMs: number;
  label: string;
}

const job = JSON.parse(process.env.HILFARM_FUZZ_WORKER ?? "") as DecoderJob;
const result = fuzzDecoders(job.frames, job.seedBase, job.deadlineMs, job.label);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
