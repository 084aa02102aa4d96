import { afterEach, describe, expect, it, vi } from "vitest";
import { deliverGuarded } from "./carrier-link.ts";

afterEach(() => vi.restoreAllMocks());

describe("deliverGuarded", () => {
  it("deliverGuarded stops at the listener that threw and calls drop", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const seen: string[] = [];
    let dropped = 0;
    deliverGuarded(
      [
        (x: string) => seen.push(`a${x}`),
        () => {
          throw new Error("boom");
        },
        (x: string) => seen.push(`c${x}`),
      ],
      "1",
      () => dropped++,
    );
    expect(seen).toEqual(["a1"]);
    expect(dropped).toBe(1);
    expect(warn).toHaveBeenCalledWith("hilfarm link listener failed, link dropped: boom");
  });
});
