/**
 * Two settings of `npm run bench:farm` side by side on one host: BENCH_PAIRS_ROUNDS pairs of whole bench:farm runs
 * (default 3, at most 20), side A's and side B's alternated (A first in odd pairs, B first in even ones), so that a host
 * whose speed drifts over the hour moves both sides alike. Writes a "Farm density, paired" section of
 * docs/benchmarks.md: every run's figures and, figure by figure, each side's range and in how many pairs B's run read
 * higher than A's, and in how many lower.
 *   BENCH_PAIRS_B="BENCH_FARM_WORKER_NICENESS=5" BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 \
 *     BENCH_FARM_PLATFORM_PROCESSES=2 npm run bench:farm-pairs
 * BENCH_PAIRS_A and BENCH_PAIRS_B: each side's own bench:farm settings, `NAME=value` words (farm-pairs/side-settings.ts);
 * the environment's bench:farm settings apply to both sides, a side's own over them. Loopback only, bounded as
 * bench:farm is: each run a few minutes at 100,000 devices.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { comparisonLines, type PairedRun, runRows, type Side } from "./farm-pairs/pair-table.ts";
import { FarmRunSummarySchema } from "./farm-pairs/run-summary.ts";
import { settingsInEnvironment, shellWord, sideSettings, sideText } from "./farm-pairs/side-settings.ts";
import { machineDescription } from "./made-by.ts";
import { wholeNumberSetting } from "./settings.ts";

const rounds = wholeNumberSetting("BENCH_PAIRS_ROUNDS", 3, 20);
const sides: Record<Side, Record<string, string>> = {
  a: sideSettings("BENCH_PAIRS_A", process.env.BENCH_PAIRS_A),
  b: sideSettings("BENCH_PAIRS_B", process.env.BENCH_PAIRS_B),
};
const sorted = (settings: Record<string, string>) => JSON.stringify(Object.entries(settings).sort());
if (sorted(sides.a) === sorted(sides.b))
  throw new Error(
    `BENCH_PAIRS_B must set what differs from BENCH_PAIRS_A, got ${process.env.BENCH_PAIRS_B ?? "nothing"}`,
  );
const shared = settingsInEnvironment();
const madeBy = [
  ...(process.env.BENCH_PAIRS_ROUNDS === undefined ? [] : [`BENCH_PAIRS_ROUNDS=${rounds}`]),
  ...(["BENCH_PAIRS_A", "BENCH_PAIRS_B"] as const).flatMap((name) =>
    process.env[name] === undefined ? [] : [`${name}=${shellWord(process.env[name] ?? "")}`],
  ),
  ...shared,
  "npm run bench:farm-pairs",
].join(" ");
const labels: Record<Side, string> = { a: "A", b: "B" };
const plain = (settings: Record<string, string>) => sideText(settings).replaceAll("`", "");
const title = `Farm density, paired: ${plain(sides.b)} against ${plain(sides.a)}`;

const farmBench = fileURLToPath(new URL("./farm.bench.ts", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-pairs-"));
const runs: PairedRun[] = [];
let stopped: string | undefined;
try {
  for (let pair = 1; pair <= rounds && stopped === undefined; pair++)
    for (const side of pair % 2 === 1 ? (["a", "b"] as const) : (["b", "a"] as const)) {
      const file = join(dir, `${pair}-${side}.json`);
      console.info(`bench:farm-pairs: pair ${pair} of ${rounds}, ${labels[side]}: ${plain(sides[side])}`);
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", farmBench], {
          stdio: "inherit",
          env: { ...process.env, ...sides[side], BENCH_FARM_SUMMARY: file },
        });
        child.on("error", reject);
        child.on("exit", resolve);
      });
      if (code !== 0) {
        stopped = `bench:farm exited ${code} in pair ${pair}, side ${labels[side]}`;
        break;
      }
      runs.push({ pair, side, run: FarmRunSummarySchema.parse(JSON.parse(await readFile(file, "utf8"))) });
    }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const lines = [
  `Made by \`${madeBy}\` (bench/farm-pairs.bench.ts): ${rounds} pair${rounds === 1 ? "" : "s"} of whole \`npm run bench:farm\` runs, side A's and side B's alternated (A first in odd pairs, B first in even ones), each run as bench:farm alone makes it; its own section, printed as it ran, is not kept here.`,
  "",
  `A: ${sideText(sides.a)}. B: ${sideText(sides.b)}. Both: ${shared.length === 0 ? "bench:farm's defaults otherwise" : shared.map((s) => `\`${s}\``).join(" ")}.`,
  "",
  `Machine: ${machineDescription()}.${stopped === undefined ? "" : ` Stopped early: ${stopped}.`}`,
  "",
  ...runRows(runs, labels),
  "",
  "Figure by figure (a pair counts where both of its runs gave the figure):",
  "",
  ...comparisonLines(runs, labels),
];
await writeBenchmarkSection(title, lines);
console.info(lines.join("\n"));
if (stopped !== undefined) throw new Error(`bench:farm-pairs: ${stopped}`);
