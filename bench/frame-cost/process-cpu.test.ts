import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { coresBusy, hilfarmBinOf } from "./process-cpu.ts";

describe("coresBusy", () => {
  it("gives the share of the cores kept busy over the window", () => {
    expect(coresBusy(1.78, 1, 2)).toBe("89 %");
    expect(coresBusy(186, 100, 2)).toBe("93 %");
    expect(coresBusy(3, 1, 2)).toBe("150 %");
  });

  it("says when there was no window to divide by", () => {
    expect(coresBusy(1, 0, 2)).toBe("not measured (no window)");
    expect(coresBusy(1, Number.NaN, 2)).toBe("not measured (no window)");
  });
});

describe("hilfarmBinOf", () => {
  it("names the hilfarm.mjs a process was started with, and nothing for another process", async () => {
    const bin = "/somewhere/else/bin/hilfarm.mjs";
    // A process whose command line names a hilfarm.mjs it does not run: it waits for its stdin to close.
    const child = spawn(process.execPath, ["-e", "process.stdin.resume()", bin, "platform"]);
    try {
      await once(child, "spawn");
      expect(hilfarmBinOf(child.pid as number)).toBe(bin);
      expect(hilfarmBinOf(process.pid)).toBeUndefined();
    } finally {
      child.stdin.end();
      await once(child, "exit");
    }
  });
});
