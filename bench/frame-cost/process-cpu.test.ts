import { describe, expect, it } from "vitest";
import { coresBusy } from "./process-cpu.ts";

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
