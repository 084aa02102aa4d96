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

  it("finds too deep exactly where a plain reading does, whatever the quotes and backslashes", () => {
    const piece = fc.constantFrom("[", "]", "{", "}", '"', "\\", "a", ",");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 0, max: 4 }), (pieces, maxDepth) => {
        const text = pieces.join("");
        expect(refusedAsTooDeep(text, maxDepth)).toBe(plainNestingExceeds(text, maxDepth));
      }),
      { numRuns: 2000 },
    );
  });

  it("counts the brackets after a string that ends in escaped backslashes", () => {
    const text = `["${"\\\\".repeat(500)}",[[]]]`;
    expect(parseJsonSafely(text, 2)).toMatchObject({ ok: false, tooDeep: true });
    expect(parseJsonSafely(text, 3).ok).toBe(true);
    // `["\\"[[[[`: the string holds one backslash and ends; `["\\\"[[[[`: it holds a backslash and a quote, and runs on.
    expect(parseJsonSafely(String.raw`["\\"[[[[`, 2)).toMatchObject({ ok: false, tooDeep: true });
    expect(refusedAsTooDeep(String.raw`["\\\"[[[[`, 2)).toBe(false);
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

function refusedAsTooDeep(text: string, maxDepth: number): boolean {
  const parsed = parseJsonSafely(text, maxDepth);
  return !parsed.ok && parsed.tooDeep === true;
}

/** The rule read one character at a time: inside a string a backslash escapes the next character. */
function plainNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (++depth > maxDepth) return true;
    } else if (c === "]" || c === "}") depth--;
  }
  return false;
}
