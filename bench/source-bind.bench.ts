/**
 * Source-address binds: what a connect costs in kernel time as a machine's held TCP connections grow, when each
 * connection first binds a loopback source address with port 0 (Linux searches the ephemeral range for a port free
 * on that address) and when it does not (the kernel picks the port for the 4-tuple). Why farm workers leave their
 * TCP connections' source to the system (emulators/farm/farm-worker.ts, `sourceAddressesFor`). Writes its section of
 * docs/benchmarks.md.
 *   npm run bench:source-bind
 * Loopback only, bounded: per mode, BENCH_BIND_PROCESSES (default 7) processes one after the other, each holding
 * BENCH_BIND_CONNECTIONS (default 9,000) connections to a server of its own (two descriptors each, under the
 * 20,000-descriptor cap), timing every 1,000 connects; the processes of a mode hold theirs until the mode ends.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { machineDescription } from "./made-by.ts";

const BATCH = 1000;

/** In a child: hold `count` connections, reporting each batch's wall and system CPU milliseconds. */
async function holdConnections(bind: boolean, count: number): Promise<void> {
  const server = createServer((socket) => socket.on("error", () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 4096, resolve));
  const { port } = server.address() as { port: number };
  const held: Socket[] = [];
  const batches: Array<{ wallMs: number; systemMs: number }> = [];
  for (let b = 0; b < count / BATCH; b++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from(
        { length: BATCH },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const localAddress = `127.0.0.${2 + ((b * BATCH + i) % 8)}`;
            const socket = tcpConnect({ host: "127.0.0.1", port, ...(bind ? { localAddress } : {}) });
            socket.once("connect", () => {
              held.push(socket);
              resolve();
            });
            socket.once("error", reject);
          }),
      ),
    );
    batches.push({ wallMs: performance.now() - started, systemMs: process.cpuUsage(cpu).system / 1000 });
  }
  process.send?.(batches);
  // Held until the parent ends the mode.
  setInterval(() => held.length, 1 << 30);
}

if (process.argv[2] === "child") {
  await holdConnections(process.argv[3] === "bind", Number(process.argv[4]));
} else {
  const processes = Number(process.env.BENCH_BIND_PROCESSES ?? 7);
  const perProcess = Number(process.env.BENCH_BIND_CONNECTIONS ?? 9000);
  if (!(processes >= 1 && processes <= 10 && perProcess >= BATCH && perProcess <= 9000))
    throw new Error("BENCH_BIND_PROCESSES must be 1..10 and BENCH_BIND_CONNECTIONS 1000..9000");
  const self = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  for (const mode of ["bind", "plain"] as const) {
    const children: ChildProcess[] = [];
    try {
      for (let k = 0; k < processes; k++) {
        const child = fork(self, ["child", mode, String(perProcess)], { execArgv: process.execArgv });
        children.push(child);
        const batches = await new Promise<Array<{ wallMs: number; systemMs: number }>>((resolve, reject) => {
          child.once("message", (m) => resolve(m as Array<{ wallMs: number; systemMs: number }>));
          child.once("exit", (code) => reject(new Error(`bench child exited with ${code}`)));
        });
        const system = batches.map((b) => b.systemMs);
        const line = `| ${mode === "bind" ? "bind 127.0.0.x:0, then connect" : "connect only"} | ${(k * perProcess).toLocaleString("en-US")}-${((k + 1) * perProcess).toLocaleString("en-US")} | ${Math.min(...system).toFixed(0)}-${Math.max(...system).toFixed(0)} ms |`;
        console.info(line);
        rows.push(line);
      }
    } finally {
      for (const child of children) child.kill();
    }
  }
  await writeBenchmarkSection("Source-address binds", [
    `Made by \`npm run bench:source-bind\` (bench/source-bind.bench.ts): ${processes} processes one after the other, each holding ${perProcess.toLocaleString("en-US")} loopback TCP connections to a server of its own, timing every ${BATCH.toLocaleString("en-US")} connects; the system CPU each batch of ${BATCH.toLocaleString("en-US")} connects took, as the connections held on the machine grow. "bind" connects from 127.0.0.2-127.0.0.9 (a bind with port 0 first), "connect only" lets the kernel choose address and port.`,
    "",
    `Machine: ${machineDescription()}.`,
    "",
    `| connect | connections already held | system CPU per ${BATCH.toLocaleString("en-US")} connects (min-max over the process's batches) |`,
    "| --- | ---: | ---: |",
    ...rows,
  ]);
}
