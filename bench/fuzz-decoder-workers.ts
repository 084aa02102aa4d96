import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { DecoderJob } from "./fuzz-decoder-worker.ts";
import { type Decoder, type DecoderRun, type DecoderStats, decoders } from "./fuzz-decoders.ts";

/** The decoder fuzz of `npm run fuzz` spread over every core, one worker process each. */

const WORKER = fileURLToPath(new URL("./fuzz-decoder-worker.ts", import.meta.url));

/**
 * Runs `frames` frames of the decoder fuzz in one process per core (fuzz-decoder-worker.ts), worker `index` on
 * seeds from `seed + index * 1,000,000`, and merges their figures.
 */
export async function fuzzDecodersOnEveryCore(
  frames: number,
  seed: number,
  deadlineMs: number,
): Promise<DecoderRun & { workers: number }> {
  const workers = Math.max(1, Math.min(cpus().length, Math.ceil(frames / 1000)));
  const runs = await Promise.all(
    Array.from({ length: workers }, (_, index) => {
      const job: DecoderJob = {
        frames: Math.floor(frames / workers) + (index < frames % workers ? 1 : 0),
        seedBase: seed + index * 1_000_000,
        deadlineMs,
        label: `decoders ${index + 1}/${workers}`,
      };
      const child = spawn(process.execPath, [...process.execArgv, WORKER], {
        env: { ...process.env, HILFARM_FUZZ_WORKER: JSON.stringify(job) },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      return new Promise<DecoderRun>((resolve, reject) =>
        child.on("close", (code) =>
          code === 0
            ? resolve(JSON.parse(out) as DecoderRun)
            : reject(new Error(`decoder worker ${index} exited ${code}`)),
        ),
      );
    }),
  );
  const stats = Object.fromEntries(
    decoders.map((d) => {
      const merged: DecoderStats = { frames: 0, ms: 0, crashes: 0, undocumented: 0, codes: {} };
      for (const r of runs) {
        const s = r.stats[d];
        merged.frames += s.frames;
        merged.ms += s.ms;
        merged.crashes += s.crashes;
        merged.undocumented += s.undocumented;
        merged.firstCrash ??= s.firstCrash;
        for (const [code, k] of Object.entries(s.codes)) merged.codes[code] = (merged.codes[code] ?? 0) + k;
      }
      return [d, merged];
    }),
  ) as Record<Decoder, DecoderStats>;
  return {
    workers,
    generated: runs.reduce((a, r) => a + r.generated, 0),
    generationMs: runs.reduce((a, r) => a + r.generationMs, 0),
    wallMs: Math.max(...runs.map((r) => r.wallMs)),
    stats,
  };
}
