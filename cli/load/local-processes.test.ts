import { spawn } from "node:child_process";
import { getPriority } from "node:os";
import { describe, expect, it, vi } from "vitest";
import { lowerPriority, passOnLater } from "./local-processes.ts";

describe("lowerPriority", () => {
  it("lowers a worker's priority, and says so when the system refuses", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const warnings: string[] = [];
    try {
      lowerPriority(child.pid ?? 0, 7, (text) => warnings.push(text));
      expect(getPriority(child.pid)).toBe(7);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
    expect(warnings).toEqual([]);
    lowerPriority(2 ** 30, 10, (text) => warnings.push(text));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^hilfarm: worker 1073741824 keeps its priority \(--worker-niceness 10: .+\)/,
    );
  });
});

/** `count` children that each print `child <i> done` on stdout and exit, and a promise of each one's close. */
function printingChildren(count: number) {
  const children = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, ["-e", `process.stdout.write("child ${i} done\\n")`], {
      stdio: ["ignore", "pipe", "ignore"],
    }),
  );
  const closed = children.map((child) => new Promise((resolve) => child.once("close", resolve)));
  return { children, closed };
}

describe("passOnLater", () => {
  it("passes on what twelve children print, without adding a listener per child to stderr", async () => {
    const kinds = ["close", "finish", "error", "unpipe"] as const;
    const before = kinds.map((kind) => process.stderr.listenerCount(kind));
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { children, closed } = printingChildren(12);
      for (const child of children) passOnLater(child);
      expect(kinds.map((kind) => process.stderr.listenerCount(kind))).toEqual(before);
      await Promise.all(closed);
    } finally {
      write.mockRestore();
    }
    expect(written.join("").split("\n").filter(Boolean).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `child ${i} done`).sort(),
    );
  });

  it("pauses children while stderr is full and resumes them all on its one drain listener", async () => {
    const drainsBefore = process.stderr.listenerCount("drain");
    const written: string[] = [];
    let full = true;
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return !full;
    });
    try {
      const { children, closed } = printingChildren(3);
      for (const child of children) passOnLater(child);
      await vi.waitUntil(() => children.every((child) => child.stdout?.isPaused() === true), {
        timeout: 10_000,
      });
      expect(process.stderr.listenerCount("drain")).toBe(drainsBefore + 1);
      full = false;
      process.stderr.emit("drain");
      expect(children.map((child) => child.stdout?.isPaused())).toEqual([false, false, false]);
      expect(process.stderr.listenerCount("drain")).toBe(drainsBefore);
      await Promise.all(closed);
    } finally {
      write.mockRestore();
    }
    expect(written.join("").split("\n").filter(Boolean).sort()).toEqual([
      "child 0 done",
      "child 1 done",
      "child 2 done",
    ]);
  });
});
