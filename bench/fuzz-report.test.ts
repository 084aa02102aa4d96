import { describe, expect, it } from "vitest";
import { loadAverages } from "./fuzz-report.ts";

describe("the Fuzzing section's machine line", () => {
  it("says the rates are lower for a load above the core count only when a load was above it", () => {
    expect(loadAverages(0.6, 1.6, 2)).toBe("load average 0.6 at the start and 1.6 at the end, on 2 cores.");
    expect(loadAverages(1.1, 2.4, 2)).toBe(
      "load average 1.1 at the start and 2.4 at the end, on 2 cores (above the core count: processes waited for a core, the fuzz's own among them, and every rate below is lower for it).",
    );
  });
});
