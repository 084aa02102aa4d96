/**
 * What a worker and the reference platform keep per device, read from heap snapshots: `hilfarm load` of
 * BENCH_HEAP_DEVICES (default 10,000) three-gang switches (the fleet's `auto` transport: UDP, as bench:farm's), ramped
 * at 1,000 a second, one worker and one platform process; once every device is online, each process writes a heap
 * snapshot (`--heapsnapshot-signal`), and its bytes and objects are divided by the devices, the process's fixed part
 * included. Unlike RSS, which moves with the collector's timing, a snapshot holds only what is alive: the figure to
 * judge a change to what a device keeps, the scavenges' copying and the major collections' marking.
 *   npm run bench:heap
 *   BENCH_HEAP_AGAINST=<checkout> npm run bench:heap
 * With BENCH_HEAP_AGAINST (another working tree of hilfarm with its dependencies installed, as bench:paired takes),
 * that checkout is measured too, one after the other, and the section sets the two side by side. The section lists
 * each process's BENCH_HEAP_GROUPS (default 12) largest groups, this checkout's.
 * Loopback only, bounded (about 1 minute a checkout). Writes the `Heap per device` section of docs/benchmarks.md.
 */
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { devicesPerWorker } from "../cli/load/worker-count.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { drain, stopped, untilEvent, wait } from "./frame-cost/child-processes.ts";
import {
  type HeapSnapshot,
  type HeapSummary,
  perDevice,
  summarizeHeapSnapshot,
} from "./frame-cost/heap-snapshot-summary.ts";
import { startHeartbeatLoad } from "./frame-cost/heartbeat-load.ts";
import { treeCpuByProcess } from "./frame-cost/process-cpu.ts";
import { machineDescription } from "./made-by.ts";
import { revisionOf } from "./revision.ts";
import { checkoutSetting, wholeNumberSetting } from "./settings.ts";

/** One worker's share: a worker takes at most `devicesPerWorker()`. */
const DEVICES = wholeNumberSetting("BENCH_HEAP_DEVICES", 10_000, devicesPerWorker());
/**
 * How long the load holds its fleet once ramped: room for both snapshots (seconds each); a fleet never all online
 * ends the load, and the bench with it, after this.
 */
const STEADY_S = 180;
/** How many of each process's largest groups the section lists. */
const GROUPS_SHOWN = wholeNumberSetting("BENCH_HEAP_GROUPS", 12, 200);
const root = fileURLToPath(new URL("..", import.meta.url));

const AGAINST = checkoutSetting("BENCH_HEAP_AGAINST");
const checkouts = AGAINST === undefined ? [root] : [root, AGAINST];

/** Asks `pid` for a heap snapshot and waits until V8 has written it to `dir`: the new file's size holds for 1 s. */
async function snapshotOf(pid: number, dir: string): Promise<string> {
  const before = new Set(await readdir(dir));
  process.kill(pid, "SIGUSR2");
  let last = -1;
  for (let tries = 0; tries < 600; tries++) {
    await wait(500);
    const file = (await readdir(dir)).find((f) => f.endsWith(".heapsnapshot") && !before.has(f));
    if (file === undefined) continue;
    const { size } = await stat(join(dir, file));
    if (size > 0 && size === last) return join(dir, file);
    last = size;
  }
  throw new Error(`process ${pid} wrote no heap snapshot in ${dir} within 300 s`);
}

async function measure(checkout: string): Promise<{ worker: HeapSummary; platform: HeapSummary }> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-bench-heap-"));
  process.env.HILFARM_NODE_FLAGS = `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;
  const load = await startHeartbeatLoad({
    checkout,
    dir,
    devices: DEVICES,
    heartbeatS: 30,
    steadyS: STEADY_S,
    transport: "auto",
  });
  try {
    await untilEvent(load.lines, "progress", (line) => line.online === DEVICES).catch(() => {
      throw new Error(`hilfarm load ended before its ${DEVICES} devices were all online`);
    });
    drain(load.lines);
    const roles = treeCpuByProcess([load.child.pid as number]);
    const pidOf = (role: string) => {
      const found = [...roles].find(([, p]) => p.role === role);
      if (found === undefined) throw new Error(`no ${role} process under hilfarm load (${load.child.pid})`);
      return found[0];
    };
    const summaryOf = async (role: string) => {
      const file = await snapshotOf(pidOf(role), dir);
      const summary = summarizeHeapSnapshot(JSON.parse(await readFile(file, "utf8")) as HeapSnapshot);
      await rm(file, { force: true });
      return perDevice(summary, DEVICES);
    };
    // One at a time: a snapshot holds its process for seconds.
    const worker = await summaryOf("worker");
    const platform = await summaryOf("platform");
    return { worker, platform };
  } finally {
    load.child.kill("SIGINT");
    await stopped(load.child);
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n).toLocaleString("en-US");
const oneDecimal = (n: number) => n.toFixed(1);
const results = [];
for (const checkout of checkouts) results.push({ checkout, ...(await measure(checkout)) });

const named = (checkout: string) =>
  `${checkout === root ? "this checkout" : "BENCH_HEAP_AGAINST"} (${revisionOf(checkout)})`;
const command = `${AGAINST === undefined ? "" : "BENCH_HEAP_AGAINST=<checkout> "}BENCH_HEAP_DEVICES=${DEVICES}${GROUPS_SHOWN === 12 ? "" : ` BENCH_HEAP_GROUPS=${GROUPS_SHOWN}`} npm run bench:heap`;
const [own] = results;
/** A process's largest groups (a node's type and name; strings as one), per device, this checkout's. */
const largestGroups = (role: "worker" | "platform", summary: HeapSummary | undefined) => [
  "",
  `The ${role}'s largest groups (a node's type and name; strings as one), per device, this checkout:`,
  "",
  "| group | bytes | objects |",
  "| --- | ---: | ---: |",
  ...(summary?.groups ?? [])
    .slice(0, GROUPS_SHOWN)
    .map(
      (g) => `| \`${g.group.replaceAll("|", "\\|")}\` | ${oneDecimal(g.bytes)} | ${g.objects.toFixed(2)} |`,
    ),
];
const lines = [
  `Made by \`${command}\` (bench/heap-per-device.bench.ts): \`hilfarm load\` of ${DEVICES.toLocaleString("en-US")} three-gang switches`,
  "(the fleet's `auto` transport, ramped at 1,000 a second, one worker and one platform process); once every device was online, a",
  "heap snapshot of each process (`--heapsnapshot-signal`), its nodes' self sizes and count divided by the devices, the",
  "process's fixed part included. Only what is alive: the figure for what a device keeps, which the scavenges copy and the",
  "major collections mark.",
  "",
  `Machine: ${machineDescription()}.`,
  "",
  "| checkout | worker: bytes per device | worker: objects per device | platform: bytes per device | platform: objects per device |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...results.map(
    (r) =>
      `| ${named(r.checkout)} | ${round(r.worker.bytes)} | ${oneDecimal(r.worker.objects)} | ${round(r.platform.bytes)} | ${oneDecimal(r.platform.objects)} |`,
  ),
  ...largestGroups("worker", own?.worker),
  ...largestGroups("platform", own?.platform),
];
await writeBenchmarkSection("Heap per device", lines);
console.log(lines.join("\n"));
