import { describe, expect, it } from "vitest";
import { lateWorkers } from "./late-workers.ts";

const worker = (workerId: string, longestSilenceS?: number, state: "finished" | "lost" = "finished") => ({
  workerId,
  state,
  ...(longestSilenceS === undefined ? {} : { longestSilenceS }),
});

describe("lateWorkers", () => {
  it("says nothing when no worker went silent, or only a lost one did (reported as lost)", () => {
    expect(lateWorkers({ workers: [worker("w-a"), worker("w-b")], machine: {} })).toBeUndefined();
    expect(lateWorkers({ workers: [worker("w-a", 30, "lost")], machine: {} })).toBeUndefined();
  });

  it("names the late workers, the longest silence, and a saturated machine as the likely cause", () => {
    const text = lateWorkers({
      workers: [worker("w-a", 12.4), worker("w-b"), ...[1, 2, 3, 4, 5].map((i) => worker(`w-${i}`, 10 + i))],
      machine: {},
    });
    expect(text).toMatch(
      /^6 of 7 workers went silent for up to 15 s \(w-a 12\.4 s, w-1 11 s, w-2 12 s, w-3 13 s, w-4 14 s and 1 more\): likely their processes got no CPU/,
    );
    expect(text).not.toContain("--idle-workers");
  });

  it("with --idle-workers, names the idle scheduling class as the likely cause and says when to run without it", () => {
    const text = lateWorkers({ workers: [worker("w-a", 17.8)], machine: { idleWorkers: true } });
    expect(text).toContain(
      "1 of 1 workers went silent for up to 17.8 s (w-a 17.8 s): they ran in the idle scheduling class",
    );
    expect(text).toContain("run without --idle-workers while the machine's cores are saturated");
  });
});
