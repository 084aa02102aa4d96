// Preloaded into `hilfarm load`'s platform and worker processes by bench/allocation.bench.ts (through
// HILFARM_NODE_FLAGS="--import <this file>"): V8's sampling heap profiler, counting the objects already collected too,
// from BENCH_ALLOC_FROM_S to BENCH_ALLOC_FROM_S + BENCH_ALLOC_SECONDS after the process starts; the samples go to
// BENCH_ALLOC_DIR/heap-<role>-<pid>.json.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const dir = process.env.BENCH_ALLOC_DIR;
const from = Number(process.env.BENCH_ALLOC_FROM_S);
const seconds = Number(process.env.BENCH_ALLOC_SECONDS);
const at = process.argv.findIndex((arg) => arg.endsWith("hilfarm.mjs"));
const role = at >= 0 ? process.argv[at + 1] : undefined;

if (dir !== undefined && !(from >= 0 && seconds > 0))
  throw new Error(
    `heap-sampler: BENCH_ALLOC_FROM_S and BENCH_ALLOC_SECONDS must be numbers of seconds, got ${process.env.BENCH_ALLOC_FROM_S} and ${process.env.BENCH_ALLOC_SECONDS}`,
  );
if (dir !== undefined && (role === "platform" || role === "worker")) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  setTimeout(async () => {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    setTimeout(async () => {
      const { profile } = await post("HeapProfiler.stopSampling");
      writeFileSync(`${dir}/heap-${role}-${process.pid}.json`, JSON.stringify(profile));
    }, seconds * 1000).unref();
  }, from * 1000).unref();
}
