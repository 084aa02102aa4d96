/**
 * What a run pays before its first device, beside the processes' own start (bench:start): `loadFleetPlan` of a fleet
 * file whose ids and PINs come from its seed, the same with a registry file naming them (a platform team's own ids),
 * `loadRegistry` of such a file (every platform process of `hilfarm load` reads its part at start: a sixth of a
 * 100,000-device run), and a worker's shard checked and its devices built (a twelfth). Three-gang switches,
 * `BENCH_PLAN_DEVICES` of them (default 100,000; a registry fleet also at a tenth of that), each case in a fresh
 * process (its code made as a command's is: bench/hilfarm-hooks.mjs), `BENCH_PLAN_ROUNDS` times
 * (default 3), the median; a case still running after `BENCH_PLAN_LIMIT_S` (default 120) is stopped and shown as
 * over it.
 *   npm run bench:plan
 * With `BENCH_PLAN_AGAINST=<checkout>`, another working tree of hilfarm with its dependencies installed, each case runs
 * there too, alternated. Writes the `Before the first device: fleet plan, registry, shard` section of docs/benchmarks.md.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { shardAssignments } from "../emulators/farm/farm-shards.ts";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { machineDescription, madeBy } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { wholeNumberSetting } from "./settings.ts";
import { switchFleetFile, switchRegistryFile } from "./switch-fleet.ts";

const DEVICES = wholeNumberSetting("BENCH_PLAN_DEVICES", 100_000, 1_000_000, 10);
const ROUNDS = wholeNumberSetting("BENCH_PLAN_ROUNDS", 3, 20);
const LIMIT_S = wholeNumberSetting("BENCH_PLAN_LIMIT_S", 120, 3600);
const SECTION = "Before the first device: fleet plan, registry, shard";
const here = fileURLToPath(new URL("..", import.meta.url));
const AGAINST = process.env.BENCH_PLAN_AGAINST;
if (
  AGAINST !== undefined &&
  !["emulators/fleet/load-fleet.ts", "node_modules"].every((f) => existsSync(join(AGAINST, f)))
)
  throw new Error(
    `BENCH_PLAN_AGAINST must name another hilfarm checkout with its node_modules, got ${AGAINST}`,
  );
const checkouts = AGAINST === undefined ? [here] : [here, resolve(AGAINST)];

const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-plan-"));
const fleetFile = (name: string, count: number, registry?: string) =>
  switchFleetFile(dir, name, count, registry);
const registryFile = (count: number) => switchRegistryFile(dir, count);

/** The assignment of the first of twelve workers, as `hilfarm load` hands a 100,000-device fleet to twelve. */
async function shardFile(count: number): Promise<{ file: string; devices: number }> {
  const plan = await loadFleetPlan(await fleetFile(`shards-${count}.json`, count));
  const [first] = shardAssignments({
    runId: "bench",
    plan,
    shards: 12,
    loginAddresses: ["127.0.0.1:9"],
    profile: { rampPerSecond: 2000, churnPerSecond: 0 },
  });
  if (first === undefined) throw new Error("no shard");
  const file = join(dir, "shard.json");
  await writeFile(file, JSON.stringify(first));
  return { file, devices: first.devices.length };
}

const tenth = Math.max(1, Math.round(DEVICES / 10));
/** Made once: the registry fleet of `DEVICES` names it, and it is read as a case of its own. */
const registryOfAll = await registryFile(DEVICES);
const sixth = Math.round(DEVICES / 6);
const cases = [
  {
    name: `fleet of ${DEVICES.toLocaleString("en-US")}, ids and PINs from the seed`,
    which: "plan",
    file: await fleetFile("seeded.json", DEVICES),
  },
  {
    name: `fleet of ${tenth.toLocaleString("en-US")}, ids and PINs from a registry file`,
    which: "plan",
    file: await fleetFile("from-registry-tenth.json", tenth, await registryFile(tenth)),
  },
  {
    name: `fleet of ${DEVICES.toLocaleString("en-US")}, ids and PINs from a registry file`,
    which: "plan",
    file: await fleetFile("from-registry.json", DEVICES, registryOfAll),
  },
  {
    name: `registry file of ${sixth.toLocaleString("en-US")} (one of six platform processes)`,
    which: "registry",
    file: await registryFile(sixth),
  },
  {
    name: `registry file of ${DEVICES.toLocaleString("en-US")}`,
    which: "registry",
    file: registryOfAll,
  },
  await shardFile(DEVICES).then(({ file, devices }) => ({
    name: `a worker's shard of ${devices.toLocaleString("en-US")} (one of twelve): checked, its devices built`,
    which: "shard",
    file,
  })),
];

interface Outcome {
  ms: number;
  cpuMs: number;
  heapMiB: number;
}

/** One case in a fresh process; undefined when it was still running after the limit. */
function runCase(checkout: string, which: string, file: string): Promise<Outcome | undefined> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      join(here, "bench/hilfarm-hooks.mjs"),
      join(here, "bench/plan-case.ts"),
      checkout,
      which,
      file,
    ],
    { cwd: here, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  let late = false;
  const limit = setTimeout(() => {
    late = true;
    child.kill("SIGKILL");
  }, LIMIT_S * 1000);
  return new Promise((resolvePromise, reject) =>
    child.on("exit", (code) => {
      clearTimeout(limit);
      if (late) return resolvePromise(undefined);
      if (code !== 0)
        return reject(new Error(`bench/plan-case.ts ${checkout} ${which} ${file}: exit ${code}`));
      resolvePromise(JSON.parse(out.trim().split("\n").at(-1) as string) as Outcome);
    }),
  );
}

const results = new Map<string, Array<Outcome | undefined>>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
    for (const c of cases)
      for (const checkout of order) {
        const key = `${c.name}\0${checkout}`;
        const earlier = results.get(key) ?? [];
        // A case over the limit once is not run again: it would take the limit every round.
        const outcome = earlier.includes(undefined) ? undefined : await runCase(checkout, c.which, c.file);
        results.set(key, [...earlier, outcome]);
        console.error(
          `${c.name}, ${checkout}: ${outcome === undefined ? `over ${LIMIT_S} s` : `${outcome.ms.toFixed(0)} ms`}`,
        );
      }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const figure = (outcomes: Array<Outcome | undefined>, of: (o: Outcome) => number, digits: number) => {
  if (outcomes.includes(undefined)) return `over ${LIMIT_S} s`;
  const values = (outcomes as Outcome[]).map(of);
  return median(values).toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
};
const rows = cases.flatMap((c) =>
  checkouts.map((checkout) => {
    const outcomes = results.get(`${c.name}\0${checkout}`) ?? [];
    const name =
      checkout === here ? `this checkout (${revisionOf(here)})` : `${revisionOf(checkout)} (${checkout})`;
    return `| ${c.name} | ${name} | ${figure(outcomes, (o) => o.ms, 0)} | ${figure(outcomes, (o) => o.cpuMs, 0)} | ${figure(outcomes, (o) => o.heapMiB, 1)} |`;
  }),
);
const machine = machineDescription();
const command = `${AGAINST === undefined ? "" : `BENCH_PLAN_AGAINST=${resolve(AGAINST)} `}BENCH_PLAN_DEVICES=${DEVICES} BENCH_PLAN_ROUNDS=${ROUNDS} npm run bench:plan`;
const body = [
  `Made by ${madeBy(command, "bench/plan.bench.ts")}: \`loadFleetPlan\` of a fleet file of three-gang switches (as \`hilfarm load\`, \`up\` and \`registry --fleet\` expand a fleet: its profiles read, every device given an id and a PIN), with the ids and PINs from the fleet's seed or from a registry file the fleet names, \`loadRegistry\` of such a file (as every \`hilfarm platform --registry\` reads one at its start; \`hilfarm load\` gives each of its platform processes its part of the fleet's registry), and a worker's shard assignment checked and its devices built (\`ShardRunner\`, not started), as \`hilfarm worker\` does when \`hilfarm load\` hands it its twelfth of 100,000 devices. Each case in a fresh process, ${ROUNDS} rounds, the median; wall time of the call, its CPU (the process's, which includes the collector's threads), and the heap in use after it (what the result keeps, with the garbage not yet collected). A case still running after ${LIMIT_S} s was stopped.`,
  "",
  `Machine: ${machine}.`,
  "",
  "| case | checkout | ms | CPU ms | heap in use after, MiB |",
  "| --- | --- | ---: | ---: | ---: |",
  ...rows,
];
await writeBenchmarkSection(SECTION, body);
console.log(body.join("\n"));
