import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonSafely, refusalOfJsonText } from "./json-safe.ts";

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

describe("refusalOfJsonText", () => {
  it("refuses what parseJsonSafely refuses, from JSON.stringify's output, and nothing else", () => {
    const deep = JSON.stringify(
      JSON.parse(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`),
    );
    expect(refusalOfJsonText(deep)).toBe(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(refusalOfJsonText('{"__proto__":{"x":1}}')).toBe('a "__proto__" key is not allowed');
    expect(refusalOfJsonText(JSON.stringify({ note: "__proto__ in a value", s: "\u00e9" }))).toBeUndefined();
    expect(refusalOfJsonText(JSON.stringify({ sequence: "1", token: "t", time: 1 }))).toBeUndefined();
  });

  it("agrees with parseJsonSafely on every JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: MAX_JSON_DEPTH + 3 }), (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJsonSafely(text);
        expect(refusalOfJsonText(text)).toBe(parsed.ok ? undefined : parsed.reason);
      }),
    );
  });
});
