import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Timer } from "../../harness/clock/clock.ts";
import { realClock } from "./real-time.ts";
import { splitHostPort } from "./wire.ts";

/**
 * A connection flood held from child processes (flood-child.mjs), never from the process under test: one process
 * holds at most ~19,000 descriptors (ulimit -n 20,000), and one source address reaches one ip:port with at most
 * 28,232 connections (the ephemeral port range).
 */
const CHILD = fileURLToPath(new URL("./flood-child.mjs", import.meta.url));
/** Connections per child process: well under its descriptor limit. */
const PER_CHILD = 10_000;

export interface FloodTally {
  attempted: number;
  /** Connections still open (held by the platform, or not yet closed by it). */
  open: number;
  /** Connections the platform closed after accepting them. */
  closed: number;
  /** Connection attempts that failed, by error code (ECONNREFUSED, ECONNRESET, EADDRNOTAVAIL, ...). */
  failed: Record<string, number>;
  /** Attempts still waiting to connect: the platform stopped accepting. */
  connecting: number;
}

export interface Flood {
  /** What the flood saw once every attempt connected or failed. */
  readonly settled: FloodTally;
  /** What it sees now. */
  count(): Promise<FloodTally>;
  /** Closes every connection and ends the child processes. */
  release(): Promise<void>;
}

export const describeTally = (t: FloodTally) => {
  const failures = Object.entries(t.failed)
    .map(([code, n]) => `${n} ${code}`)
    .join(", ");
  const waiting = t.connecting > 0 ? `, ${t.connecting} still connecting` : "";
  return `${t.attempted} attempted, ${t.open} held, ${t.closed} closed by the platform${waiting}${failures === "" ? "" : `, failed: ${failures}`}`;
};

const sum = (tallies: FloodTally[]): FloodTally => {
  const failed: Record<string, number> = {};
  for (const t of tallies)
    for (const [code, n] of Object.entries(t.failed)) failed[code] = (failed[code] ?? 0) + n;
  return {
    attempted: tallies.reduce((a, t) => a + t.attempted, 0),
    open: tallies.reduce((a, t) => a + t.open, 0),
    closed: tallies.reduce((a, t) => a + t.closed, 0),
    connecting: tallies.reduce((a, t) => a + t.connecting, 0),
    failed,
  };
};

class FloodChild {
  private readonly lines: AsyncIterator<string>;
  readonly exited: Promise<void>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stderr.resume();
  }

  async next(event: string, maxMs: number): Promise<FloodTally> {
    let timer: Timer | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = realClock.setTimeout(
        () => reject(new Error(`the flood did not settle within ${maxMs} ms`)),
        maxMs,
        "hostile-flood-settle",
      );
    });
    try {
      for (;;) {
        const { value, done } = await Promise.race([this.lines.next(), deadline]);
        if (done) throw new Error("a flood process ended early");
        const line = JSON.parse(value) as FloodTally & { event: string };
        if (line.event === event) return line;
      }
    } finally {
      timer?.cancel();
    }
  }

  async release(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
  }
}

/**
 * Opens `count` connections to `address` from `from` (any local address when not given) and resolves once every
 * attempt has connected or failed, or none has for 2 s, or 15 s have passed (the platform stopped accepting, or
 * accepts slowly: the check then runs on what the flood holds, before a 30 s login deadline could free it), within
 * `maxMs` (default: 30 s + 2 ms a connection).
 */
export async function startFlood(
  address: string,
  count: number,
  options: { from?: string; maxMs?: number } = {},
): Promise<Flood> {
  const { host, port } = splitHostPort(address);
  const maxMs = options.maxMs ?? 30_000 + 2 * count;
  const children: FloodChild[] = [];
  for (let left = count; left > 0; left -= PER_CHILD) {
    const args = { host, port, count: Math.min(PER_CHILD, left), from: options.from };
    children.push(new FloodChild(spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: "pipe" })));
  }
  const release = async () => {
    await Promise.all(children.map((c) => c.release()));
  };
  try {
    const settled = sum(await Promise.all(children.map((c) => c.next("flooded", maxMs))));
    return {
      settled,
      count: async () => {
        for (const c of children) c.child.stdin.write("count\n");
        return sum(await Promise.all(children.map((c) => c.next("count", 10_000))));
      },
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
