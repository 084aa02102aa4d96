import { type AddressInfo, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { countLines } from "./bare-floor.ts";
import { node, stopped, untilEvent } from "./child-processes.ts";

/** A client's stdout as countLines reads it: lines pushed by the test, ended by it. */
function clientLines() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const lines: AsyncIterator<string> = {
    async next() {
      while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      const value = queue.shift();
      return value === undefined ? { done: true, value: undefined } : { done: false, value };
    },
  };
  return {
    lines,
    print: (line: object) => {
      queue.push(JSON.stringify(line));
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  };
}

describe("countLines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers the counts of the first count line printed after each call, skipping other events", async () => {
    const client = clientLines();
    // Printed before the first call and still buffered when countLines starts reading, as when a benchmark waits
    // before its window: not of the window.
    client.print({ event: "count", logins: 1, roundTrips: 2, at: Date.now() - 3000 });
    const next = countLines(client.lines);
    const first = next();
    client.print({ event: "online" });
    client.print({ event: "count", logins: 7, roundTrips: 30, at: Date.now() });
    expect(await first).toEqual({ logins: 7, roundTrips: 30 });
    client.print({ event: "count", logins: 8, roundTrips: 35, at: Date.now() - 1 });
    const second = next();
    client.print({ event: "count", logins: 9, roundTrips: 41, at: Date.now() });
    expect(await second).toEqual({ logins: 9, roundTrips: 41 });
  });

  it("fails with the client's end, waiting or called after it", async () => {
    const client = clientLines();
    const next = countLines(client.lines);
    const waiting = next();
    client.end();
    await expect(waiting).rejects.toThrow("the client ended before its next count line");
    await expect(next()).rejects.toThrow("the client ended before its next count line");
  });

  it("fails when a live client prints no count line within 10 s", async () => {
    vi.useFakeTimers();
    const client = clientLines();
    const next = countLines(client.lines);
    const waiting = next();
    const outcome = expect(waiting).rejects.toThrow("bare floor: no count line from the client within 10 s");
    await vi.advanceTimersByTimeAsync(10_000);
    await outcome;
  });
});

describe("the bare login client", () => {
  it("counts a login connection its server resets and goes on, the device to start over at its deadline", async () => {
    // A login server that resets every connection it accepts, as a busy host's full accept queue does.
    const server = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const script = fileURLToPath(new URL("./bare-login.mjs", import.meta.url));
    // One device, powered on at once; the UDP port is never reached.
    const client = node([script, "client", String(port), "9", "1", "30000", "1000", "0"], root);
    try {
      const count = await untilEvent(client.lines, "count", (line) => Number(line.loginErrors) > 0);
      expect(count).toMatchObject({ logins: 0, loginErrors: 1 });
      expect(client.child.exitCode).toBeNull();
    } finally {
      client.child.kill("SIGTERM");
      await stopped(client.child);
      server.close();
    }
  });
});
