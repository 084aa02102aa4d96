// Preloaded into the processes a benchmark samples (through HILFARM_NODE_FLAGS="--import <this file>" for `hilfarm
// load`'s platform and worker, as a node flag for bench/frame-cost/bare-login.mjs's server and client): V8's sampling
// heap profiler, counting the objects already collected too. Its window is either from BENCH_ALLOC_FROM_S to
// BENCH_ALLOC_FROM_S + BENCH_ALLOC_SECONDS after the process starts (bench/allocation.bench.ts), or, with
// BENCH_ALLOC_ON=signal, from one SIGUSR2 to the next (bench/login-allocation.bench.ts: the benchmark reads its
// counts at the same moments). The samples go to BENCH_ALLOC_DIR/heap-<role>-<pid>.json, <role> being what follows
// hilfarm.mjs on the command line, or `bare-` and what follows the bare floor's script.
import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const dir = process.env.BENCH_ALLOC_DIR;
const onSignal = process.env.BENCH_ALLOC_ON === "signal";
const from = Number(process.env.BENCH_ALLOC_FROM_S);
const seconds = Number(process.env.BENCH_ALLOC_SECONDS);

function roleOf(argv) {
  const hilfarm = argv.findIndex((arg) => arg.endsWith("hilfarm.mjs"));
  if (hilfarm >= 0) return argv[hilfarm + 1];
  const bare = argv.findIndex((arg) => /bare-[a-z]+\.mjs$/.test(arg));
  return bare >= 0 ? `bare-${argv[bare + 1]}` : undefined;
}
const role = roleOf(process.argv);

if (dir !== undefined && !onSignal && !(from >= 0 && seconds > 0))
  throw new Error(
    `heap-sampler: BENCH_ALLOC_FROM_S and BENCH_ALLOC_SECONDS must be numbers of seconds, got ${process.env.BENCH_ALLOC_FROM_S} and ${process.env.BENCH_ALLOC_SECONDS}`,
  );
if (dir !== undefined && ["platform", "worker", "bare-server", "bare-client"].includes(role)) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const start = async () => {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  };
  const stop = async () => {
    const { profile } = await post("HeapProfiler.stopSampling");
    // Written whole, then named: a benchmark that waits for the file never reads half of it.
    const file = `${dir}/heap-${role}-${process.pid}.json`;
    writeFileSync(`${file}.part`, JSON.stringify(profile));
    renameSync(`${file}.part`, file);
  };
  if (onSignal) {
    let sampling = false;
    process.on("SIGUSR2", () => {
      sampling = !sampling;
      void (sampling ? start() : stop());
    });
  } else
    setTimeout(async () => {
      await start();
      setTimeout(stop, seconds * 1000).unref();
    }, from * 1000).unref();
}
