// One process of a connection flood (scenarios/hostile/flood.ts starts it): opens `count` TCP connections to
// host:port from `from`, holds every one the platform keeps, and reports as JSON lines on stdout:
// `flooded` once every attempt has connected or failed, or once none has for STALL_MS, or READY_MS after the start,
// whichever comes first (a platform that stopped accepting, or accepts slowly, leaves connects waiting on SYN
// retries: the flood then holds what it has, so the check runs while the platform holds the flood, before a 30 s
// login deadline frees it), and `count` on each "count" line on stdin. It closes them all
// and exits when stdin ends (the parent released it, or is gone). A process holds ~19,000 descriptors at most
// (ulimit -n), so a larger flood takes several of these.
import { connect } from "node:net";
import { createInterface } from "node:readline";

const { host, port, count, from, concurrency = 256 } = JSON.parse(process.argv[2] ?? "{}");
const STALL_MS = 2_000;
const READY_MS = 15_000;
const startedAt = Date.now();
const open = new Set();
const failed = {};
let closed = 0;
let started = 0;
let settled = 0;
let releasing = false;
let reported = false;
let progressAt = Date.now();

const failures = () => Object.values(failed).reduce((a, n) => a + n, 0);
const tally = (event) => ({
  event,
  attempted: started,
  open: open.size,
  closed,
  failed,
  connecting: started - open.size - closed - failures(),
});
const report = (event) => process.stdout.write(`${JSON.stringify(tally(event))}\n`);
const flooded = () => {
  if (reported) return;
  reported = true;
  clearInterval(stallCheck);
  report("flooded");
};
const stallCheck = setInterval(() => {
  if (Date.now() - progressAt >= STALL_MS || Date.now() - startedAt >= READY_MS) flooded();
}, 250);

function attempt() {
  if (started >= count) return;
  started++;
  let connected = false;
  const socket = connect({ host, port, ...(from ? { localAddress: from } : {}) });
  const done = () => {
    settled++;
    progressAt = Date.now();
    if (settled === count) flooded();
    else attempt();
  };
  socket.on("connect", () => {
    connected = true;
    open.add(socket);
    done();
  });
  socket.on("data", () => undefined);
  socket.on("error", (error) => {
    if (connected) return;
    const code = error.code ?? "ERROR";
    failed[code] = (failed[code] ?? 0) + 1;
    done();
  });
  socket.on("close", () => {
    if (!connected) return;
    open.delete(socket);
    if (!releasing) closed++;
  });
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "count") report("count");
  })
  .on("close", () => {
    releasing = true;
    for (const socket of open) socket.destroy();
    process.exit(0);
  });

if (count === 0) flooded();
for (let i = 0; i < Math.min(concurrency, count); i++) attempt();
