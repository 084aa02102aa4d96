import { join } from "node:path";
import { drain, node, untilEvent, within } from "./child-processes.ts";

/**
 * The bare floor of the per-frame benchmarks (bench:cost's (b), bench:perf): bench/frame-cost/bare-heartbeat.mjs's
 * server, then its client with `devices` devices beating every `intervalMs` (in bursts every `burstMs` when given),
 * both from the checkout `root`, with `nodeFlags` before the script (and under `runUnder`, when given). Resolves once
 * the server is listening; the client prints "online" when every device is connected.
 */
export async function startBareFloor(options: {
  root: string;
  devices: number;
  intervalMs: number;
  burstMs?: number;
  nodeFlags?: string[];
  runUnder?: readonly string[];
}): Promise<{ server: ReturnType<typeof node>; client: ReturnType<typeof node> }> {
  const { root, devices, intervalMs, burstMs = 0, nodeFlags = [], runUnder } = options;
  const script = join(root, "bench/frame-cost/bare-heartbeat.mjs");
  const server = node([...nodeFlags, script, "server"], root, runUnder);
  const { port } = await untilEvent(server.lines, "ready");
  const client = node(
    [...nodeFlags, script, "client", String(port), String(devices), String(intervalMs), String(burstMs)],
    root,
    runUnder,
  );
  return { server, client };
}

/**
 * The bare floor of the login benchmarks (bench:login's (b), bench:perf with churn): bench/frame-cost/bare-login.mjs's
 * server, then its client with `devices` devices powered on at `rampPerSecond`, heartbeating every `intervalMs` and
 * `churnPerSecond` of them power-cycled a second once every device has connected (the client prints "online" then).
 */
export async function startBareLogin(options: {
  root: string;
  devices: number;
  intervalMs: number;
  rampPerSecond: number;
  churnPerSecond: number;
  nodeFlags?: string[];
}): Promise<{ server: ReturnType<typeof node>; client: ReturnType<typeof node> }> {
  const { root, devices, intervalMs, rampPerSecond, churnPerSecond, nodeFlags = [] } = options;
  const script = join(root, "bench/frame-cost/bare-login.mjs");
  const server = node([...nodeFlags, script, "server"], root);
  const { loginPort, udpPort } = await untilEvent(server.lines, "ready");
  drain(server.lines);
  const settings = [loginPort, udpPort, devices, intervalMs, rampPerSecond, churnPerSecond].map(String);
  const client = node([...nodeFlags, script, "client", ...settings], root);
  return { server, client };
}

/** The bare login client prints a count line every second: a call waits at most this long for the next. */
const COUNT_LINE_WITHIN_MS = 10_000;

/** What the bare login client has received so far: 1003s (logins) and 1001s (heartbeat round trips). */
export interface BareCount {
  logins: number;
  roundTrips: number;
}

/**
 * The bare login client's count lines, one at a time: each call answers the counts of the first count line the
 * client printed after the call, by the line's own time (`at`, the client's `Date.now()`): a line printed before, and
 * still in the pipe or in `lines`' buffer when read, is skipped, so that what a benchmark reads beside it is of the
 * same moment. It fails once the client has ended (it prints why on stderr), or when no count line comes within 10 s
 * (a client alive but stuck).
 */
export function countLines(lines: AsyncIterator<string>): () => Promise<BareCount> {
  const ended = () =>
    new Error("bare floor: the client ended before its next count line (its reason is on stderr)");
  let waiting:
    | { since: number; resolve: (count: BareCount) => void; reject: (error: Error) => void }
    | undefined;
  let done = false;
  void (async () => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      const parsed = JSON.parse(line.value) as {
        event?: string;
        logins?: number;
        roundTrips?: number;
        at?: number;
      };
      if (parsed.event !== "count" || waiting === undefined || !(Number(parsed.at) >= waiting.since))
        continue;
      waiting.resolve({ logins: Number(parsed.logins), roundTrips: Number(parsed.roundTrips) });
      waiting = undefined;
    }
    done = true;
    waiting?.reject(ended());
  })();
  return () =>
    within(
      new Promise<BareCount>((resolve, reject) => {
        if (done) reject(ended());
        else waiting = { since: Date.now(), resolve, reject };
      }),
      "bare floor: no count line from the client",
      COUNT_LINE_WITHIN_MS,
    );
}
