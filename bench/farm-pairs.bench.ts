/**
 * Two settings of `npm run bench:farm` side by side on one host: BENCH_PAIRS_ROUNDS pairs of whole bench:farm runs
 * (default 3, at most 20), side A's and side B's alternated (A first in odd pairs, B first in even ones), so that a host
 * whose speed drifts over the hour moves both sides alike. Writes a "Farm density, paired" section of
 * docs/benchmarks.md: every run's figures and, figure by figure, each side's range, in how many pairs B's run read
 * higher than A's and in how many lower, and how often chance would split them so (farm-pairs/sign-test.ts).
 *   BENCH_PAIRS_B="BENCH_FARM_WORKER_NICENESS=5" BENCH_FARM_DEVICES=100000 BENCH_FARM_RAMP=2000 \
 *     BENCH_FARM_PLATFORM_PROCESSES=2 npm run bench:farm-pairs
 * BENCH_PAIRS_A and BENCH_PAIRS_B: each side's own bench:farm settings, `NAME=value` words (farm-pairs/side-settings.ts);
 * the environment's bench:farm settings apply to both sides, a side's own over them. BENCH_PAIRS_A_CHECKOUT and
 * BENCH_PAIRS_B_CHECKOUT: another checkout whose bench:farm (and so whose hilfarm) that side runs, for two commits side
 * by side (farm-pairs/side-checkout.ts); unset, this one. Loopback only, bounded as bench:farm is: each run a few
 * minutes at 100,000 devices.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import {
  comparisonIntro,
  comparisonLines,
  type PairedRun,
  runRows,
  type Side,
} from "./farm-pairs/pair-table.ts";
import { FarmRunSummarySchema } from "./farm-pairs/run-summary.ts";
import { type SideCheckout, sideCheckout } from "./farm-pairs/side-checkout.ts";
import { settingsInEnvironment, shellWord, sideSettings, sideText } from "./farm-pairs/side-settings.ts";
import { machineDescription } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { wholeNumberSetting } from "./settings.ts";

const rounds = wholeNumberSetting("BENCH_PAIRS_ROUNDS", 3, 20);
const sides: Record<Side, Record<string, string>> = {
  a: sideSettings("BENCH_PAIRS_A", process.env.BENCH_PAIRS_A),
  b: sideSettings("BENCH_PAIRS_B", process.env.BENCH_PAIRS_B),
};
const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const here: SideCheckout = { dir: root, revision: revisionOf(root) };
const checkouts: Record<Side, SideCheckout> = {
  a: sideCheckout("BENCH_PAIRS_A_CHECKOUT") ?? here,
  b: sideCheckout("BENCH_PAIRS_B_CHECKOUT") ?? here,
};
const sorted = (settings: Record<string, string>) => JSON.stringify(Object.entries(settings).sort());
const settingsDiffer = sorted(sides.a) !== sorted(sides.b);
const checkoutsDiffer = checkouts.a.dir !== checkouts.b.dir;
if (!settingsDiffer && !checkoutsDiffer)
  throw new Error(
    `BENCH_PAIRS_B must set what differs from BENCH_PAIRS_A, or BENCH_PAIRS_A_CHECKOUT or BENCH_PAIRS_B_CHECKOUT name another checkout, got ${process.env.BENCH_PAIRS_B ?? "nothing"}`,
  );
const shared = settingsInEnvironment();
const pairsSettings = [
  "BENCH_PAIRS_A",
  "BENCH_PAIRS_B",
  "BENCH_PAIRS_A_CHECKOUT",
  "BENCH_PAIRS_B_CHECKOUT",
] as const;
const madeBy = [
  ...(process.env.BENCH_PAIRS_ROUNDS === undefined ? [] : [`BENCH_PAIRS_ROUNDS=${rounds}`]),
  ...pairsSettings.flatMap((name) =>
    process.env[name] === undefined ? [] : [`${name}=${shellWord(process.env[name] ?? "")}`],
  ),
  ...shared,
  "npm run bench:farm-pairs",
].join(" ");
const labels: Record<Side, string> = { a: "A", b: "B" };
const plain = (settings: Record<string, string>) => sideText(settings).replaceAll("`", "");
/** A side in the section's title: what differs from the other side, its settings, its commit, or both. */
const titleOf = (side: Side) =>
  [
    ...(settingsDiffer ? [plain(sides[side])] : []),
    ...(checkoutsDiffer ? [checkouts[side].revision] : []),
  ].join(" on ");
const title = `Farm density, paired: ${titleOf("b")} against ${titleOf("a")}`;
/** A side in full: its settings and, when the sides run different checkouts, which. */
const sideInFull = (side: Side) =>
  `${sideText(sides[side])}${checkoutsDiffer ? `, ${checkouts[side] === here ? "this checkout" : `the checkout at \`${checkouts[side].dir}\``} (${checkouts[side].revision})` : ""}`;
const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-pairs-"));
const runs: PairedRun[] = [];
let stopped: string | undefined;
try {
  for (let pair = 1; pair <= rounds && stopped === undefined; pair++)
    for (const side of pair % 2 === 1 ? (["a", "b"] as const) : (["b", "a"] as const)) {
      const file = join(dir, `${pair}-${side}.json`);
      console.info(`bench:farm-pairs: pair ${pair} of ${rounds}, ${labels[side]}: ${titleOf(side)}`);
      const code = await new Promise<number | null>((resolve, reject) => {
        const { dir: checkout } = checkouts[side];
        const child = spawn(process.execPath, ["--import", "tsx", join(checkout, "bench/farm.bench.ts")], {
          cwd: checkout,
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
  `A: ${sideInFull("a")}. B: ${sideInFull("b")}. Both: ${shared.length === 0 ? "bench:farm's defaults otherwise" : shared.map((s) => `\`${s}\``).join(" ")}.`,
  "",
  `Machine: ${machineDescription()}.${stopped === undefined ? "" : ` Stopped early: ${stopped}.`}`,
  "",
  ...runRows(runs, labels),
  "",
  comparisonIntro(runs),
  "",
  ...comparisonLines(runs, labels),
];
await writeBenchmarkSection(title, lines);
console.info(lines.join("\n"));
if (stopped !== undefined) throw new Error(`bench:farm-pairs: ${stopped}`);
