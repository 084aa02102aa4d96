// The bare floor of bench/frame-cost.bench.ts: the least a device side and a platform side can do to heartbeat over
// loopback as Mc says (5.2: `CTS` + the envelope JSON + CRLF; 5.2.2: the body AES-128-CBC under the session key, key =
// IV = its 16 ASCII bytes, Base64 in `data`; 5.4.2.3: 1000 HeartbeatRequest {sequence, token, time}, 1001
// HeartbeatResponse {result, sequence, time}). Written for the benchmark from the spec, with node:net and node:crypto
// only: no hilfarm code, no schema checks, no logger, no metrics. Sessions are made up front (no login).
//   node bench/frame-cost/bare-heartbeat.mjs server
//   node bench/frame-cost/bare-heartbeat.mjs client <port> <devices> <interval-ms> [<burst-ms>]
// With <burst-ms>, each device's first beat falls on a multiple of it, so the client sends in bursts every <burst-ms>
// as a farm whose timer wheel turns that often does; without, the beats are spread over the interval.
// The server prints {"event":"ready","port":N}; the client prints {"event":"online"} once every device is connected,
// then {"event":"count","roundTrips":N} every second, and on SIGTERM {"event":"latency","count":N,"p50":ms,"p99":ms,
// "p999":ms}: the heartbeat round trips from one interval + 2 s after "online" (the benchmark's window) to the end.
import { connect, createServer } from "node:net";
import { lines, open as openWith, seal as sealWith, seconds } from "./bare-wire.mjs";

const [mode, ...args] = process.argv.slice(2);

/** Device i's token and session key (16 printable ASCII characters each), known to both sides. */
const tokenOf = (i) => `tok${String(i).padStart(13, "0")}`;
const keyOf = (i) => Buffer.from(`key${String(i).padStart(13, "0")}`, "ascii");

// Heartbeats use the session key as key and IV (5.2.2).
const seal = (key, body) => sealWith(key, key, body);
const open = (key, data) => openWith(key, key, data);

if (mode === "server") {
  const keys = new Map();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    lines(socket, (json) => {
      const envelope = JSON.parse(json);
      let key = keys.get(envelope.token);
      if (key === undefined) {
        key = keyOf(Number(envelope.token.slice(3)));
        keys.set(envelope.token, key);
      }
      const request = open(key, envelope.data);
      const response = { result: 0, sequence: request.sequence, time: seconds() };
      socket.write(`CTS${JSON.stringify({ code: 1001, data: seal(key, response) })}\r\n`);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    console.log(JSON.stringify({ event: "ready", port: server.address().port }));
  });
} else if (mode === "client") {
  const [port, count, intervalMs, burstMs = 0] = args.map(Number);
  let roundTrips = 0;
  let connected = 0;
  const roundTripMs = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const token = tokenOf(i);
    const key = keyOf(i);
    let sequence = 0;
    /** Send time of each request awaiting its answer, by sequence. */
    const sentAt = new Map();
    const socket = connect({ host: "127.0.0.1", port });
    socket.setNoDelay(true);
    socket.on("error", (error) => {
      console.error(`device ${i}: ${error.message}`);
      process.exit(1);
    });
    lines(socket, (json) => {
      const envelope = JSON.parse(json);
      const response = open(key, envelope.data);
      if (envelope.code === 1001 && response.result === 0) roundTrips++;
      const sent = sentAt.get(response.sequence);
      if (sent === undefined) return;
      sentAt.delete(response.sequence);
      const now = performance.now();
      if (now >= measureFrom) roundTripMs.push(now - sent);
    });
    socket.on("connect", () => {
      if (++connected === count) {
        measureFrom = performance.now() + intervalMs + 2000;
        console.log(JSON.stringify({ event: "online" }));
      }
      const beat = () => {
        sequence = (sequence + 1) & 0xffff;
        const body = { sequence: String(sequence), token, time: seconds() };
        sentAt.set(body.sequence, performance.now());
        socket.write(`CTS${JSON.stringify({ code: 1000, token, data: seal(key, body) })}\r\n`);
      };
      // Spread over the interval, as devices that powered on at different times; with bursts, on the burst's grid.
      const phase = Math.floor((i * intervalMs) / count);
      setTimeout(
        () => {
          beat();
          setInterval(beat, intervalMs);
        },
        burstMs > 0 ? phase - (phase % burstMs) : phase,
      );
    });
  }
  setInterval(() => console.log(JSON.stringify({ event: "count", roundTrips })), 1000);
  process.on("SIGTERM", () => {
    const sorted = roundTripMs.sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const latency = { event: "latency", count: sorted.length, p50: at(0.5), p99: at(0.99), p999: at(0.999) };
    process.stdout.write(`${JSON.stringify(latency)}\n`, () => process.exit(0));
  });
} else {
  console.error("usage: bare-heartbeat.mjs server | client <port> <devices> <interval-ms> [<burst-ms>]");
  process.exit(2);
}
