/**
 * The long fuzz run:
 *   npm run fuzz
 * 1. Decoders: HILFARM_FUZZ_FRAMES (default 10^6) hostile frames from harness/protocol/mc/testing/hostile/,
 *    each fed to every decoder of the Mc core (parseEnvelope, decodeFrameLine, openEnvelope, McStreamDecoder in
 *    random chunks, FrameSplitter, parseJsonSafely, showValue, excerpt). A throw, or an error code that is not a
 *    documented CtsErrorCode, is a crash.
 * 2. Live: HILFARM_FUZZ_LIVE_FRAMES (default 10^5) hostile frames and requests against `hilfarm platform` as a child
 *    process over loopback (emulators/platform/testing/live-fuzz.ts), while a TCP and a UDP device heartbeat. If the
 *    platform stops, that is a crash: it is started again and the run goes on (at most 5 times).
 * 3. Push receiver: HILFARM_FUZZ_PUSH_FRAMES (default 20,000) hostile requests against `hilfarm push receive` as a
 *    child process (signing on), while a legitimate sender keeps pushing (emulators/push-receiver/testing/push-fuzz.ts).
 *    A stop, a 5xx, HTTP 200 outside the format, a hostile request taken for a push or a lost push fails the run.
 * Bounded: HILFARM_FUZZ_SECONDS (default 1800) for the decoders, as much again for the live run and for the push
 * receiver; loopback only.
 * HILFARM_SEED fixes the seed. Writes the `Fuzzing` section of docs/benchmarks.md and prints it.
 * The parts: fuzz-decoders.ts (run over every core by fuzz-decoder-workers.ts), the live fuzz, fuzz-report.ts.
 */
import { loadavg } from "node:os";
import { type LiveFuzzReport, runLiveFuzz } from "../emulators/platform/testing/live-fuzz.ts";
import { startChildTarget } from "../emulators/platform/testing/live-fuzz-targets.ts";
import { type PushFuzzReport, runPushFuzz } from "../emulators/push-receiver/testing/push-fuzz.ts";
import { startChildPushTarget } from "../emulators/push-receiver/testing/push-fuzz-targets.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { fuzzDecodersOnEveryCore } from "./fuzz-decoder-workers.ts";
import { fuzzingSection, fuzzVerdict } from "./fuzz-report.ts";

const FRAMES = Number(process.env.HILFARM_FUZZ_FRAMES ?? 1_000_000);
const LIVE_FRAMES = Number(process.env.HILFARM_FUZZ_LIVE_FRAMES ?? 100_000);
const PUSH_FRAMES = Number(process.env.HILFARM_FUZZ_PUSH_FRAMES ?? 20_000);
const SECONDS = Number(process.env.HILFARM_FUZZ_SECONDS ?? 1800);
const seed =
  process.env.HILFARM_SEED === undefined
    ? (Date.now() ^ (Math.random() * 2 ** 32)) | 0
    : Number(process.env.HILFARM_SEED);
for (const [name, value] of Object.entries({ FRAMES, LIVE_FRAMES, PUSH_FRAMES, SECONDS }))
  if (!(Number.isInteger(value) && value >= 0))
    throw new Error(`HILFARM_FUZZ_${name} must be a whole number`);
console.log(`fuzz seed ${seed} (replay: HILFARM_SEED=${seed} npm run fuzz)`);

// --- 1. decoders -------------------------------------------------------------------------------------------------

const loadAtStart = loadavg()[0] ?? 0;
const decoderRun = await fuzzDecodersOnEveryCore(FRAMES, seed, SECONDS * 1000);

// --- 2. live -----------------------------------------------------------------------------------------------------

const liveStarted = performance.now();
const liveReports: LiveFuzzReport[] = [];
let liveSent = 0;
for (let restart = 0; restart <= 5 && liveSent < LIVE_FRAMES; restart++) {
  const elapsed = performance.now() - liveStarted;
  if (elapsed > SECONDS * 1000) break;
  const target = await startChildTarget(seed + restart);
  try {
    const report = await runLiveFuzz({
      target,
      frames: LIVE_FRAMES - liveSent,
      seed: seed + restart * 1_000_003,
      deadlineMs: SECONDS * 1000 - elapsed,
      checkEvery: 2000,
      progress: (sent) => {
        if (sent % 10_000 === 0) console.log(`live: ${liveSent + sent} frames`);
      },
    });
    liveReports.push(report);
    liveSent += report.sent;
    if (report.crashes.length === 0) break;
    console.log(
      `live: the platform stopped after ${liveSent} frames: ${report.crashes[0]?.detail.slice(0, 500)}`,
    );
  } finally {
    await target.close();
  }
}
const liveWallS = (performance.now() - liveStarted) / 1000;

// --- 3. push receiver -------------------------------------------------------------------------------------------

const pushTarget = await startChildPushTarget();
let pushReport: PushFuzzReport;
try {
  pushReport = await runPushFuzz({
    target: pushTarget,
    frames: PUSH_FRAMES,
    seed,
    deadlineMs: SECONDS * 1000,
    progress: (sent) => {
      if (sent % 5000 === 0) console.log(`push receiver: ${sent} requests`);
    },
  });
} finally {
  await pushTarget.close();
}

// --- report ------------------------------------------------------------------------------------------------------

const lines = fuzzingSection({ seed, loadAtStart, decoderRun, liveReports, liveSent, liveWallS, pushReport });
await writeBenchmarkSection("Fuzzing", lines);
console.log(lines.join("\n"));
process.exitCode = fuzzVerdict(decoderRun, liveReports, pushReport).passed ? 0 : 1;
