/**
 * JSON.parse for bytes from the wire. A `__proto__` key is refused: in a parsed object it is an own property, but
 * any copy of it (a schema's output, a spread) turns it into the object's prototype, so the value would vanish or
 * leak into property lookups. The full check runs only when the text could hold such a key.
 */
export type SafeJson = { ok: true; value: unknown } | { ok: false; reason: string };

export function parseJsonSafely(text: string): SafeJson {
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

class ProtoKey extends Error {}
