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
      const children = Array.from({ length: 12 }, (_, i) =>
        spawn(process.execPath, ["-e", `process.stdout.write("child ${i} done\\n")`], {
          stdio: ["ignore", "pipe", "ignore"],
        }),
      );
      for (const child of children) passOnLater(child);
      expect(kinds.map((kind) => process.stderr.listenerCount(kind))).toEqual(before);
      await Promise.all(children.map((child) => new Promise((resolve) => child.once("close", resolve))));
    } finally {
      write.mockRestore();
    }
    expect(written.join("").split("\n").filter(Boolean).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `child ${i} done`).sort(),
    );
  });
});
