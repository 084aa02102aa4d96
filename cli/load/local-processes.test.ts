import { spawn } from "node:child_process";
import { getPriority } from "node:os";
import { describe, expect, it } from "vitest";
import { lowerPriority } from "./local-processes.ts";

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
