import { join } from "node:path";
import { drain, node, untilEvent } from "./child-processes.ts";

/**
 * The bare floor of the per-frame benchmarks (bench:cost's (b), bench:perf): bench/frame-cost/bare-heartbeat.mjs's
 * server, then its client with `devices` devices beating every `intervalMs` (in bursts every `burstMs` when given),
 * both from the checkout `root`, with `nodeFlags` before the script. Resolves once the server is listening; the client prints "online" when every
 * device is connected.
 */
export async function startBareFloor(options: {
  root: string;
  devices: number;
  intervalMs: number;
  burstMs?: number;
  nodeFlags?: string[];
}): Promise<{ server: ReturnType<typeof node>; client: ReturnType<typeof node> }> {
  const { root, devices, intervalMs, burstMs = 0, nodeFlags = [] } = options;
  const script = join(root, "bench/frame-cost/bare-heartbeat.mjs");
  const server = node([...nodeFlags, script, "server"], root);
  const { port } = await untilEvent(server.lines, "ready");
  const client = node(
    [...nodeFlags, script, "client", String(port), String(devices), String(intervalMs), String(burstMs)],
    root,
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
