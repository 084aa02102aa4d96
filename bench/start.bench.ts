/**
 * What starting a process of a load run costs, up to its ready line: a worker (`hilfarm worker`) and a reference
 * platform process (`hilfarm platform`), as `hilfarm load` starts them (bin/hilfarm.mjs, TypeScript stripped once
 * and kept, `--log-level warn`); for 100,000 devices of an `auto` fleet it starts six platform processes and six
 * workers by default, two and six with `--platform-processes 2` (cli/load/worker-count.ts). Each is started, read
 * until its ready line, measured (CPU seconds and resident memory from /proc, time since the spawn) and stopped, one
 * at a time (a platform process twice: with the lab registry, and with `BENCH_START_REGISTRY_DEVICES` three-gang
 * switches, default 16,667, the part of a 100,000-device fleet each of `hilfarm load`'s six platform processes
 * reads), `BENCH_START_ROUNDS` times (default 5) after one start not counted (it fills the stripped-source cache);
 * then `BENCH_START_TOGETHER` workers (default: as many as `hilfarm load` starts for 100,000 devices) spawned at
 * once, until the last is ready: the wait before a 100,000-device run's first power-on, as the machine's cores share
 * it.
 *   npm run bench:start
 * With `BENCH_START_AGAINST=<checkout>`, another working tree of hilfarm with its dependencies installed, the two
 * checkouts start in turn, alternated, and the section sets them side by side. Writes the `Process start` section of
 * docs/benchmarks.md.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { localWorkersFor } from "../cli/load/worker-count.ts";
import { platformProcessesFor } from "../cli/load-command.ts";
import { processStat, residentBytes } from "../harness/machine/process-stat.ts";
import { startEmbeddedBroker } from "../harness/mqtt/embedded-broker.ts";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { drain, node, stopped, untilEvent } from "./frame-cost/child-processes.ts";
import { machineDescription, madeBy } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { wholeNumberSetting } from "./settings.ts";
import { switchRegistryFile } from "./switch-fleet.ts";

const ROUNDS = wholeNumberSetting("BENCH_START_ROUNDS", 5, 50);
const SECTION = "Process start";
const here = fileURLToPath(new URL("..", import.meta.url));
const AGAINST = process.env.BENCH_START_AGAINST;
if (AGAINST !== undefined && !["bin/hilfarm.mjs", "node_modules"].every((f) => existsSync(join(AGAINST, f))))
  throw new Error(
    `BENCH_START_AGAINST must name another hilfarm checkout (bin/hilfarm.mjs) with its node_modules, got ${AGAINST}`,
  );
const checkouts = AGAINST === undefined ? [here] : [here, resolve(AGAINST)];

interface Start {
  readyMs: number;
  cpuSeconds: number;
  rssBytes: number;
}

const registry = join(here, "examples/registry/lab.json");
/** `hilfarm load`'s platform processes for 100,000 devices of an `auto` fleet (one per 18,000 that may use TCP). */
const PLATFORM_PROCESSES_FOR_100K = platformProcessesFor({ transport: "auto", devices: { length: 100_000 } });
/** A load run's platform process is given its part of the fleet's registry: its share of 100,000 devices by default. */
const REGISTRY_DEVICES = wholeNumberSetting(
  "BENCH_START_REGISTRY_DEVICES",
  Math.ceil(100_000 / PLATFORM_PROCESSES_FOR_100K),
  100_000,
);
const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-start-"));
const loadRegistry = await switchRegistryFile(dir, REGISTRY_DEVICES);
const broker = await startEmbeddedBroker();
const workersFor100k = (platformProcesses: number) =>
  localWorkersFor({ devices: 100_000, platformProcesses, cores: cpus().length });
/** Workers started at once, as `hilfarm load` starts them for 100,000 devices by default. */
const TOGETHER = wholeNumberSetting("BENCH_START_TOGETHER", workersFor100k(PLATFORM_PROCESSES_FOR_100K), 24);
const worker = (i: number) => ["worker", "--broker", broker.url, "--id", `bench-${i}`, "--log-level", "warn"];
const kinds = [
  { name: "`hilfarm worker`", count: 1, argsOf: worker },
  {
    name: "`hilfarm platform`, the lab registry (6 devices)",
    count: 1,
    argsOf: () => ["platform", "--registry", registry, ...FREE_PORTS, "--no-mqtt", "--log-level", "warn"],
  },
  {
    name: `\`hilfarm platform\`, a registry of ${REGISTRY_DEVICES.toLocaleString("en-US")} devices`,
    count: 1,
    argsOf: () => ["platform", "--registry", loadRegistry, ...FREE_PORTS, "--no-mqtt", "--log-level", "warn"],
  },
  {
    name: `${TOGETHER} \`hilfarm worker\` at once (CPU and memory summed, ready when the last is)`,
    count: TOGETHER,
    argsOf: worker,
  },
];

/** `count` processes of `kind` in `checkout`, started at once, measured when the last prints its ready line, then stopped. */
async function startOnce(checkout: string, kind: (typeof kinds)[number]): Promise<Start> {
  const from = performance.now();
  const started = Array.from({ length: kind.count }, (_, i) =>
    node([join(checkout, "bin/hilfarm.mjs"), ...kind.argsOf(i)], checkout),
  );
  try {
    await Promise.all(started.map(({ lines }) => untilEvent(lines, "ready")));
    const readyMs = performance.now() - from;
    const pids = started.map(({ child }) => child.pid as number);
    const cpuSeconds = pids.reduce((sum, pid) => sum + (processStat(pid)?.cpuSeconds ?? Number.NaN), 0);
    const rssBytes = pids.reduce((sum, pid) => sum + (residentBytes(pid) ?? Number.NaN), 0);
    for (const { lines } of started) drain(lines);
    return { readyMs, cpuSeconds, rssBytes };
  } finally {
    for (const { child } of started) child.kill("SIGTERM");
    await Promise.all(started.map(({ child }) => stopped(child)));
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const spread = (values: number[], digits: number) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

const results = new Map<string, Start[]>();
try {
  for (const kind of kinds.filter((k) => k.count === 1))
    for (const checkout of checkouts) await startOnce(checkout, kind);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated: the checkout that starts first changes every round.
    const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
    for (const kind of kinds)
      for (const checkout of order) {
        const start = await startOnce(checkout, kind);
        const key = `${kind.name}\0${checkout}`;
        results.set(key, [...(results.get(key) ?? []), start]);
        console.log(
          `round ${round + 1} ${kind.name} ${checkout === here ? "this checkout" : checkout}: ready after ${start.readyMs.toFixed(0)} ms, ${start.cpuSeconds.toFixed(2)} CPU s, ${(start.rssBytes / 2 ** 20).toFixed(0)} MiB`,
        );
      }
  }
} finally {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
}

const rows = kinds.flatMap((kind) =>
  checkouts.map((checkout) => {
    const starts = results.get(`${kind.name}\0${checkout}`) ?? [];
    const name =
      checkout === here ? `this checkout (${revisionOf(here)})` : `${revisionOf(checkout)} (${checkout})`;
    return `| ${kind.name} | ${name} | ${spread(
      starts.map((s) => s.cpuSeconds),
      2,
    )} | ${spread(
      starts.map((s) => s.rssBytes / 2 ** 20),
      0,
    )} | ${spread(
      starts.map((s) => s.readyMs),
      0,
    )} |`;
  }),
);
const machine = machineDescription();
const command = `${AGAINST === undefined ? "" : `BENCH_START_AGAINST=${resolve(AGAINST)} `}BENCH_START_ROUNDS=${ROUNDS} BENCH_START_TOGETHER=${TOGETHER} BENCH_START_REGISTRY_DEVICES=${REGISTRY_DEVICES} npm run bench:start`;
const body = [
  `Made by ${madeBy(command, "bench/start.bench.ts")}: each process a load run starts, from its spawn to its ready line (a worker waiting for its shard on an embedded broker; a reference platform process on free loopback ports, as \`hilfarm load\` starts them, with the lab registry and with the registry of ${REGISTRY_DEVICES.toLocaleString("en-US")} three-gang switches that each of a 100,000-device run's ${PLATFORM_PROCESSES_FOR_100K} platform processes reads), one at a time, then ${TOGETHER} workers at once (what a load run's start waits for, on this machine's cores), ${ROUNDS} rounds after one start of each process not counted; medians, with the rounds' range. \`hilfarm load\` starts these before its first device powers on: for 100,000 devices of an \`auto\` fleet, ${PLATFORM_PROCESSES_FOR_100K} platform processes and ${workersFor100k(PLATFORM_PROCESSES_FOR_100K)} workers by default (\`npm run bench:farm\`), two and ${workersFor100k(2)} with \`--platform-processes 2\`.`,
  "",
  `Machine: ${machine}.`,
  "",
  "| process | checkout | CPU s at ready | resident MiB at ready | ready after, ms |",
  "| --- | --- | ---: | ---: | ---: |",
  ...rows,
];
await writeBenchmarkSection(SECTION, body);
console.log(body.join("\n"));
