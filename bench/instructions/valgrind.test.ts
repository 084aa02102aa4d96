import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cachegrindInstructions, underValgrind, valgrindCount } from "./valgrind.ts";

const countFile = (cmd: string, instructions: number) =>
  [
    "# callgrind format",
    "version: 1",
    "creator: valgrind-3.19.0",
    "pid: 7",
    `cmd:  ${cmd}`,
    "part: 1",
    "",
    "events: Ir",
    "fl=???",
    "0 12",
    `summary: ${instructions}`,
    "",
  ].join("\n");

describe("valgrind counts", () => {
  it("reads a process's instructions", () => {
    expect(
      valgrindCount(countFile("/usr/bin/node bin/hilfarm.mjs platform --registry r.json", 3_061_342_502)),
    ).toBe(3_061_342_502);
  });

  it("answers nothing for a file cut short (a process killed before valgrind wrote its summary)", () => {
    expect(valgrindCount("events: Ir\nfl=???\n0 12\n")).toBeUndefined();
  });

  it("adds every process of a run, and fails on a count cut short", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-cachegrind-test-"));
    try {
      await writeFile(
        join(dir, "cachegrind.101"),
        countFile("node /w/bin/hilfarm.mjs load --fleet f.json", 5),
      );
      await writeFile(join(dir, "cachegrind.102"), countFile("node /w/bin/hilfarm.mjs worker --id a", 7));
      await writeFile(join(dir, "cachegrind.103"), countFile("node /w/bin/hilfarm.mjs worker --id b", 11));
      await writeFile(join(dir, "valgrind.101.log"), "==101== I   refs: 5\n");
      expect(await cachegrindInstructions(dir)).toBe(23);
      await writeFile(join(dir, "cachegrind.104"), "events: Ir\n");
      await expect(cachegrindInstructions(dir)).rejects.toThrow(/cachegrind\.104 holds no complete count/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails when valgrind left no counts at all", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-cachegrind-test-"));
    try {
      await expect(cachegrindInstructions(dir)).rejects.toThrow(/no cachegrind counts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("counts children but not esbuild, one file per process, instructions only", () => {
    const argv = underValgrind("cachegrind", "/tmp/x");
    expect(argv[0]).toBe("valgrind");
    expect(argv).toContain("--tool=cachegrind");
    expect(argv).toContain("--cache-sim=no");
    expect(argv).toContain("--trace-children=yes");
    expect(argv).toContain("--trace-children-skip=*esbuild*");
    expect(argv).toContain("--cachegrind-out-file=/tmp/x/cachegrind.%p");
    const callgrind = underValgrind("callgrind", "/tmp/x");
    expect(callgrind).toContain("--tool=callgrind");
    expect(callgrind).toContain("--trace-children-skip=*esbuild*");
    expect(callgrind).toContain("--callgrind-out-file=/tmp/x/callgrind.%p");
    expect(callgrind).not.toContain("--cache-sim=no");
  });
});
