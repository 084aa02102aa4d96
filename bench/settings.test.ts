import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { untilEvent } from "./frame-cost/child-processes.ts";
import { checkoutSetting, choiceSetting, numberSetting, wholeNumberSetting } from "./settings.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("a setting naming another checkout", () => {
  it("is undefined unset, the checkout's full path when it has bin/hilfarm.mjs and node_modules", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-checkout-"));
    try {
      expect(checkoutSetting("BENCH_TEST_AGAINST")).toBeUndefined();
      vi.stubEnv("BENCH_TEST_AGAINST", dir);
      expect(() => checkoutSetting("BENCH_TEST_AGAINST")).toThrow(
        `BENCH_TEST_AGAINST must name another hilfarm checkout (a directory with bin/hilfarm.mjs), got ${dir}`,
      );
      await mkdir(join(dir, "bin"));
      await writeFile(join(dir, "bin/hilfarm.mjs"), "");
      expect(() => checkoutSetting("BENCH_TEST_AGAINST")).toThrow(
        `BENCH_TEST_AGAINST: ${dir} has no node_modules: run npm ci there or link this checkout's`,
      );
      await mkdir(join(dir, "node_modules"));
      expect(checkoutSetting("BENCH_TEST_AGAINST")).toBe(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("waiting for a child's event line", () => {
  it("takes the first line of the event that matches, skipping the others and what is not JSON", async () => {
    const lines = [
      "not json",
      '{"event":"progress","online":1}',
      '{"event":"other","online":2}',
      '{"event":"progress","online":2}',
    ];
    const iterator = lines[Symbol.iterator]();
    const asyncLines: AsyncIterator<string> = { next: async () => iterator.next() };
    await expect(untilEvent(asyncLines, "progress", (line) => line.online === 2)).resolves.toEqual({
      event: "progress",
      online: 2,
    });
    await expect(untilEvent(asyncLines, "progress")).rejects.toThrow(
      "the process ended before its progress line",
    );
  });
});

describe("a setting of a few choices", () => {
  it("is its fallback unset, the choice when it is one, and names the choices when it is not", () => {
    expect(choiceSetting("BENCH_TEST_TRANSPORT", ["tcp", "udp"] as const, "tcp")).toBe("tcp");
    expect(choiceSetting("BENCH_TEST_TRANSPORT", ["tcp", "udp"] as const, undefined)).toBeUndefined();
    vi.stubEnv("BENCH_TEST_TRANSPORT", "udp");
    expect(choiceSetting("BENCH_TEST_TRANSPORT", ["tcp", "udp"] as const, "tcp")).toBe("udp");
    vi.stubEnv("BENCH_TEST_TRANSPORT", "UDP");
    expect(() => choiceSetting("BENCH_TEST_TRANSPORT", ["tcp", "udp"] as const, "tcp")).toThrow(
      "BENCH_TEST_TRANSPORT must be one of tcp, udp, got UDP",
    );
  });
});

describe("a number setting", () => {
  it("is its fallback unset, the number when in range, fractions included, and names itself and the text when not", () => {
    expect(numberSetting("BENCH_TEST_RAMP", 250, 0.1, 100_000)).toBe(250);
    vi.stubEnv("BENCH_TEST_RAMP", "0.5");
    expect(numberSetting("BENCH_TEST_RAMP", 250, 0.1, 100_000)).toBe(0.5);
    for (const text of ["abc", "", "0", "1e9", "Infinity"]) {
      vi.stubEnv("BENCH_TEST_RAMP", text);
      expect(() => numberSetting("BENCH_TEST_RAMP", 250, 0.1, 100_000)).toThrow(
        `BENCH_TEST_RAMP must be a number in 0.1..100000, got ${text}`,
      );
    }
  });
});

describe("a whole-number setting", () => {
  it("is its fallback unset, the number when whole and in range, and never reads empty text as 0", () => {
    expect(wholeNumberSetting("BENCH_TEST_NICENESS", 10, 19, 0)).toBe(10);
    vi.stubEnv("BENCH_TEST_NICENESS", "0");
    expect(wholeNumberSetting("BENCH_TEST_NICENESS", 10, 19, 0)).toBe(0);
    for (const text of ["", " ", "5.5", "20", "five"]) {
      vi.stubEnv("BENCH_TEST_NICENESS", text);
      expect(() => wholeNumberSetting("BENCH_TEST_NICENESS", 10, 19, 0)).toThrow(
        `BENCH_TEST_NICENESS must be a whole number in 0..19, got ${text}`,
      );
    }
  });
});
