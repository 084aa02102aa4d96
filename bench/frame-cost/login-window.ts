import { checkoutSetting, wholeNumberSetting } from "../settings.ts";
import { countLines, startBareLogin } from "./bare-floor.ts";
import { allGone, drain, stopped, untilEvent, wait, within } from "./child-processes.ts";
import { startHeartbeatLoad } from "./heartbeat-load.ts";
import { loadMetrics, untilLoggedIn } from "./load-metrics.ts";
import { treeCpuByProcess } from "./process-cpu.ts";

/** A process a login window measures: its pid and role (`platform`, `worker`, `bare-server`, `bare-client`). */
export interface MeasuredProcess {
  pid: number;
  role: string;
}

/**
 * The traffic of the login benchmarks (bench:login-alloc, bench:maps): `devices` devices powered on at
 * `rampPerSecond`, heartbeating every `heartbeatS`, then `churnPerSecond` of them power-cycled a second, each cycle a
 * login. A window of `seconds` opens 3 s after every device has logged in once. Without churn (`churnPerSecond` 0)
 * the window measures the steady heartbeats instead: it opens a heartbeat interval and 3 s later, once every device
 * heartbeats.
 */
export interface LoginTraffic {
  devices: number;
  churnPerSecond: number;
  seconds: number;
  heartbeatS: number;
  rampPerSecond: number;
}

/**
 * A login benchmark's traffic from its settings `<prefix>_DEVICES` (default 4,000), `<prefix>_CHURN` (default 150 a
 * second; 0, for heartbeats only, where `minChurn` allows it), `<prefix>_HEARTBEAT_S` (default 30) and
 * `<prefix>_SECONDS` (default 20), and the other checkout `<prefix>_AGAINST` names, if any.
 */
export function loginTrafficSettings(
  prefix: string,
  minChurn: 0 | 1 = 1,
): { traffic: LoginTraffic; against: string | undefined } {
  return {
    traffic: {
      devices: wholeNumberSetting(`${prefix}_DEVICES`, 4000, 9_000),
      churnPerSecond: wholeNumberSetting(`${prefix}_CHURN`, 150, 1_000, minChurn),
      seconds: wholeNumberSetting(`${prefix}_SECONDS`, 20, 120),
      heartbeatS: wholeNumberSetting(`${prefix}_HEARTBEAT_S`, 30, 300),
      rampPerSecond: 1000,
    },
    against: checkoutSetting(`${prefix}_AGAINST`),
  };
}

/**
 * What a benchmark does at the window's edges, each given the measured processes: `open` and `close` at the moments
 * the logins are counted; `collect` after `close`, before the processes stop (a profile they write on the signal).
 */
export interface WindowEdges<T> {
  open(measured: readonly MeasuredProcess[]): void;
  close(measured: readonly MeasuredProcess[]): void;
  collect(measured: readonly MeasuredProcess[]): Promise<T>;
}

/** What a window counts: logins under churn, heartbeat round trips without it. */
export const countedUnit = (traffic: LoginTraffic) =>
  traffic.churnPerSecond > 0 ? "login" : "heartbeat round trip";

/** The window's count from a side's counts so far: its logins, or its heartbeat round trips without churn. */
const ofUnit = (traffic: LoginTraffic, logins: number, heartbeats: number) =>
  traffic.churnPerSecond > 0 ? logins : heartbeats;

/** From every device's first login to the window's opening: 3 s, and a heartbeat interval without churn. */
const settleMs = (traffic: LoginTraffic) =>
  (traffic.churnPerSecond > 0 ? 0 : traffic.heartbeatS * 1000) + 3000;

export interface LoginWindow<T> {
  /** What the window counted between its edges (`countedUnit`): logins, or heartbeat round trips. */
  counted: number;
  measured: MeasuredProcess[];
  collected: T;
}

/** Every device's first login takes at most this long: the ramp, and a minute. */
const onlineWithinMs = (traffic: LoginTraffic) => (traffic.devices / traffic.rampPerSecond + 60) * 1000;

/**
 * The bare floor's login window: bench/frame-cost/bare-login.mjs's server and client of the checkout `root`, with
 * `nodeFlags` before the script, logins counted by the client's lines. Both processes are measured.
 */
export async function bareLoginWindow<T>(
  root: string,
  traffic: LoginTraffic,
  nodeFlags: readonly string[],
  edges: WindowEdges<T>,
): Promise<LoginWindow<T>> {
  const { server, client } = await startBareLogin({
    root,
    devices: traffic.devices,
    intervalMs: traffic.heartbeatS * 1000,
    rampPerSecond: traffic.rampPerSecond,
    churnPerSecond: traffic.churnPerSecond,
    nodeFlags: [...nodeFlags],
  });
  try {
    await within(
      untilEvent(client.lines, "online"),
      "bare floor: not every device logged in",
      onlineWithinMs(traffic),
    );
    await wait(settleMs(traffic));
    const measured = [
      { pid: server.child.pid as number, role: "bare-server" },
      { pid: client.child.pid as number, role: "bare-client" },
    ];
    // Each edge of the window at the next count line to come: the counts and the window are of the same moment.
    const next = countLines(client.lines);
    const count = async () => {
      const { logins, roundTrips } = await next();
      return ofUnit(traffic, logins, roundTrips);
    };
    const first = await count();
    edges.open(measured);
    await wait(traffic.seconds * 1000 - 500);
    const last = await count();
    edges.close(measured);
    return { counted: last - first, measured, collected: await edges.collect(measured) };
  } finally {
    client.child.kill("SIGTERM");
    server.child.kill("SIGTERM");
    await Promise.all([stopped(client.child), stopped(server.child)]);
  }
}

/**
 * hilfarm's login window: `hilfarm load` of the checkout `checkout` (one worker, the fleet's `auto` transport) with
 * the reference platform as a process, `nodeFlags` given to both through `HILFARM_NODE_FLAGS`, logins counted by the
 * load's /metrics. Its fleet file and report go to `dir`. The platform and the worker are measured.
 */
export async function hilfarmLoginWindow<T>(
  checkout: string,
  dir: string,
  traffic: LoginTraffic,
  nodeFlags: readonly string[],
  edges: WindowEdges<T>,
): Promise<LoginWindow<T>> {
  process.env.HILFARM_NODE_FLAGS = nodeFlags.join(" ");
  const load = await startHeartbeatLoad({
    checkout,
    dir,
    devices: traffic.devices,
    heartbeatS: traffic.heartbeatS,
    steadyS: Math.ceil(
      traffic.devices / traffic.rampPerSecond + settleMs(traffic) / 1000 + traffic.seconds + 60,
    ),
    transport: "auto",
    churnPerSecond: traffic.churnPerSecond,
  });
  let pids: number[] = [];
  try {
    const metrics = String((await untilEvent(load.lines, "load-started")).metrics);
    drain(load.lines);
    // Every device once logged in (with churn, the fleet is never all online again once the ramp ends).
    await untilLoggedIn(metrics, traffic.devices, onlineWithinMs(traffic));
    await wait(settleMs(traffic));
    const tree = treeCpuByProcess([load.child.pid as number]);
    pids = [...tree.keys()];
    const measured = [...tree]
      .filter(([, p]) => p.role === "platform" || p.role === "worker")
      .map(([pid, p]) => ({ pid, role: p.role }));
    if (measured.length !== 2)
      throw new Error(`hilfarm: expected one platform and one worker process, found ${measured.length}`);
    const count = async () => {
      const { logins, heartbeats } = await loadMetrics(metrics);
      return ofUnit(traffic, logins, heartbeats);
    };
    const first = await count();
    edges.open(measured);
    await wait(traffic.seconds * 1000);
    const last = await count();
    edges.close(measured);
    return { counted: last - first, measured, collected: await edges.collect(measured) };
  } finally {
    load.child.kill("SIGTERM");
    await stopped(load.child);
    // Its platform and worker too: the next side must not share the machine with them.
    await allGone(pids);
  }
}

/**
 * The rows of a login benchmark's table, one per side: the bare floor, hilfarm, and the checkout `setting` names when
 * given. `row` writes one from its label, the side's result and the roles of its device and platform processes.
 */
export function sideRows<R>(
  row: (label: string, result: R, device: string, platform: string) => string,
  sides: { bare: R; ours: R; against: R | undefined },
  setting: string,
): string[] {
  return [
    row("(b) bare floor: bench/frame-cost/bare-login.mjs", sides.bare, "bare-client", "bare-server"),
    row("(c) hilfarm: `hilfarm load` (one worker) + `hilfarm platform`", sides.ours, "worker", "platform"),
    ...(sides.against === undefined
      ? []
      : [row(`(c) hilfarm, ${setting}'s checkout`, sides.against, "worker", "platform")]),
  ];
}
