import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonSafely } from "./json-safe.ts";

describe("parseJsonSafely", () => {
  it("refuses nesting deeper than the limit before parsing, and says so", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    expect(parseJsonSafely(deep)).toEqual({
      ok: false,
      reason: `nested deeper than ${MAX_JSON_DEPTH} levels`,
      tooDeep: true,
    });
    const atLimit = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(parseJsonSafely(atLimit).ok).toBe(true);
    expect(parseJsonSafely(`{"a":${atLimit}}`).ok).toBe(false);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ s: `\\"${"[".repeat(1000)}` });
    expect(parseJsonSafely(text)).toEqual({ ok: true, value: { s: `\\"${"[".repeat(1000)}` } });
  });

  it("refuses a __proto__ key however it is written", () => {
    expect(parseJsonSafely('{"__proto__":{"x":1}}').ok).toBe(false);
    expect(parseJsonSafely('{"\\u005f_proto__":1}').ok).toBe(false);
  });
});
