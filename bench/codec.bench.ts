/**
 * Codec throughput: encode (validate + encrypt + frame) and decode (split + parse + decrypt + validate),
 * for a heartbeat and for a 2 KB state report. Writes docs/benchmarks.md.
 *   npm run bench:codec   (also run by `npm run bench`, bench/aims.bench.ts)
 * Pure CPU, no sockets. Bounded: each case runs for BENCH_TIME_MS (default 2000 ms).
 */

import { Bench } from "tinybench";
import { CipherKey } from "../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../harness/protocol/mc/codec.ts";
import type { McMessage } from "../harness/protocol/mc/schemas/index.ts";
import { McStreamDecoder } from "../harness/protocol/mc/stream-decoder.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { machineDescription, madeBy } from "./made-by.ts";

const key = CipherKey.fromSessionKey("abcdef0123456789");
const token = "qwertyuiop123456";

const heartbeat: McMessage = { code: 1000, body: { sequence: "12345", token, time: 1361542433 } };

function stateReport(targetBytes: number): McMessage {
  const statusSerial: Array<{ statusName: string; curStatusValue: string }> = [];
  const body = {
    sequence: "12345",
    deviceId: "0000111122223333aaaabbbb",
    statusSerials: [{ serialId: "0", statusSerial }],
    time: 1361542433,
  };
  for (let i = 0; JSON.stringify(body).length < targetBytes; i++) {
    statusSerial.push({ statusName: `STATUS_${i}`, curStatusValue: String(i * 7) });
  }
  return { code: 2006, body };
}

const cases: Array<[string, McMessage]> = [
  ["heartbeat (1000)", heartbeat],
  ["2 KB state report (2006)", stateReport(2048)],
];

const time = Number(process.env.BENCH_TIME_MS ?? 2000);
const bench = new Bench({ time, warmupTime: 300 });
const sizes = new Map<string, { body: number; frame: number }>();

for (const [name, message] of cases) {
  const frame = encodeFrame(message, { key, token });
  sizes.set(name, { body: JSON.stringify(message.body).length, frame: frame.length });
  const decoder = new McStreamDecoder({ keyFor: () => key });
  bench.add(`encode ${name}`, () => {
    encodeFrame(message, { key, token });
  });
  bench.add(`decode ${name}`, () => {
    const [outcome] = decoder.push(frame);
    if (!outcome?.ok) throw new Error("benchmark frame did not decode");
  });
}

await bench.run();

const rows = bench.tasks.map((task) => {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
  return {
    name: task.name,
    perSecond: Math.round(result.throughput.mean),
    meanUs: result.latency.mean * 1000,
    p99Us: result.latency.p99 * 1000,
    samples: result.latency.samplesCount ?? 0,
  };
});

const lines = [
  `Made by ${madeBy("npm run bench:codec", "bench/codec.bench.ts")}, one core, no sockets:`,
  "encode = body schema check + AES-128-CBC + Base64 + envelope; decode = CRLF split + envelope parse + Base64 + AES + JSON + body schema check.",
  "",
  `Machine: ${machineDescription()}; ${time} ms per case.`,
  "",
  "| case | frames/s | mean µs | p99 µs |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.perSecond.toLocaleString("en-US")} | ${r.meanUs.toFixed(1)} | ${r.p99Us.toFixed(1)} |`,
  ),
  "",
  "Frame sizes: " +
    [...sizes].map(([name, s]) => `${name}: body ${s.body} B, frame ${s.frame} B`).join("; ") +
    ".",
];
await writeBenchmarkSection("Mc codec throughput", lines);
console.log(lines.join("\n"));
