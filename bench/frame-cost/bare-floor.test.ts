import { afterEach, describe, expect, it, vi } from "vitest";
import { countLines } from "./bare-floor.ts";

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

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("countLines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers the logins of the first count line after each call, skipping other events", async () => {
    const client = clientLines();
    client.print({ event: "count", logins: 1 });
    const next = countLines(client.lines);
    await settled();
    const first = next();
    client.print({ event: "online" });
    client.print({ event: "count", logins: 7 });
    expect(await first).toBe(7);
    const second = next();
    client.print({ event: "count", logins: 9 });
    expect(await second).toBe(9);
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
