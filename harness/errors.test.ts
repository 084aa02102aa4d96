import { describe, expect, it } from "vitest";
import { excerpt, showValue } from "./errors.ts";

describe("showValue: values from the wire in error messages", () => {
  it("writes short values as JSON would", () => {
    expect(showValue(1)).toBe("1");
    expect(showValue("abc")).toBe('"abc"');
    expect(showValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(showValue(null)).toBe("null");
    expect(showValue(undefined)).toBe("undefined");
  });

  it("is bounded and total: 100,000 nested arrays, cycles, BigInt, symbols, huge strings and throwing getters", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(showValue(deep)).toBe("[[[[…]]]]");
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(showValue(cycle)).toBe('{"a":1,"self":[circular]}');
    expect(showValue(10n)).toBe("10n");
    expect(showValue(Symbol("s"))).toBe("Symbol(s)");
    expect(showValue("x".repeat(1_000_000))).toHaveLength(41);
    const hostile = Object.defineProperty({}, "a", {
      enumerable: true,
      get() {
        throw new Error("no");
      },
    });
    expect(showValue(hostile)).toContain("[unreadable]");
  });

  it("cuts long output at the limit with an ellipsis", () => {
    const text = showValue(
      Array.from({ length: 1000 }, (_, i) => i),
      20,
    );
    expect(text).toBe("[0,1,2,3,4,5,6,7,8,9…");
  });
});

describe("excerpt: raw input in error messages", () => {
  it("reads a window only, and masks a secret even when the window cuts it", () => {
    expect(excerpt("x".repeat(10_000_000))).toBe(JSON.stringify(`${"x".repeat(40)}…`));
    expect(excerpt('{"token":"abcdefghijklmnop","x":1}')).toBe(
      JSON.stringify('{"token":"[redacted]","x":1}'),
    );
    expect(excerpt(`{"a":1,"token":"${"t".repeat(200)}"}`)).not.toContain("ttt");
  });

  it("masks the token in a raw frame cut short, before its value ends", () => {
    expect(excerpt('{"code":1004,"token":"qwertyuiop123456","data":"')).not.toContain("qwertyuiop");
    expect(excerpt('CTS{"code":1000,"token":"qwertyui')).toMatch(/token.*\[redacted\]/);
  });
});
