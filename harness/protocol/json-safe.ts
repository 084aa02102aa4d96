/**
 * JSON.parse for bytes from the wire (frames, API bodies).
 * - Nesting deeper than `maxDepth` is refused before parsing: every consumer of a parsed value (schemas, error
 *   messages, copies) walks it recursively, and thousands of `[` in one datagram would exhaust the stack there.
 * - A `__proto__` key is refused: in a parsed object it is an own property, but any copy of it (a schema's output, a
 *   spread) turns it into the object's prototype, so the value would vanish or leak into property lookups. The full
 *   check runs only when the text could hold such a key.
 */
export type SafeJson = { ok: true; value: unknown } | { ok: false; reason: string; tooDeep?: true };

/** Deepest nesting of arrays and objects accepted from the wire. Spec bodies nest at most 4 levels. */
export const MAX_JSON_DEPTH = 32;

export function parseJsonSafely(text: string, maxDepth: number = MAX_JSON_DEPTH): SafeJson {
  if (nestingExceeds(text, maxDepth))
    return { ok: false, reason: `nested deeper than ${maxDepth} levels`, tooDeep: true };
  let value: unknown;
  try {
    value =
      text.includes("proto") || text.includes("\\u")
        ? JSON.parse(text, function (this: unknown, key: string, v: unknown) {
            if (key === "__proto__") throw new ProtoKey();
            return v;
          })
        : JSON.parse(text);
  } catch (error) {
    if (error instanceof ProtoKey) return { ok: false, reason: 'a "__proto__" key is not allowed' };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, value };
}

/**
 * Why `parseJsonSafely` would refuse `jsonText`, text already known to be JSON (JSON.stringify's output), or undefined.
 * The same rules without the parse, unless the text could hold a `__proto__` key: for checking what a codec is about
 * to send.
 */
export function refusalOfJsonText(jsonText: string, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
  if (nestingExceeds(jsonText, maxDepth)) return `nested deeper than ${maxDepth} levels`;
  if (!jsonText.includes("proto") && !jsonText.includes("\\u")) return undefined;
  const parsed = parseJsonSafely(jsonText, maxDepth);
  return parsed.ok ? undefined : parsed.reason;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * True when brackets and braces outside strings open more than `maxDepth` levels at some point. One pass; a string is
 * crossed with `indexOf` to its closing quote (one not preceded by an odd run of backslashes), so the cost follows
 * the text's structure, not its length: a frame's envelope is mostly one long Base64 string.
 */
function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return false;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

/** Index of the quote that closes the string opened at `open`, or -1 when the text ends inside it. */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote > 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

class ProtoKey extends Error {}
