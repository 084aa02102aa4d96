import fc from "fast-check";
import type { McCode } from "../../packet-types.ts";
import { bodyArbitraries } from "../arbitraries.ts";

/** Valid bodies with one value swapped for raw JSON text: how a hostile value reaches a schema or a handler. */

/** A valid body of `code` as an object (from the round-trip arbitraries). */
export const validBody = (code: McCode): fc.Arbitrary<Record<string, unknown>> =>
  (bodyArbitraries[code] as fc.Arbitrary<Record<string, unknown>>).map((b) => ({ ...b }));

/** The body's JSON with the value at `path` replaced by raw JSON text (which may be invalid on purpose). */
export function withRaw(
  body: Record<string, unknown>,
  path: readonly (string | number)[],
  raw: string,
): string {
  const marker = "\u0000HOSTILE\u0000";
  const copy = structuredClone(body) as Record<string, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last === undefined) return raw;
  at[last] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), () => raw);
}

/** Every path into a JSON value (objects' keys and arrays' indexes), shallow first. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [];
  const out: (string | number)[][] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const path = [...prefix, key];
    out.push(path, ...pathsOf(child, path));
  }
  return out;
}

/** A body of a code with a value put at one of its paths (or a new top-level key). */
export function bodyWith(
  code: McCode,
  raw: fc.Arbitrary<string>,
  extraKey: fc.Arbitrary<string> = fc.constant("extra"),
): fc.Arbitrary<string> {
  return fc
    .tuple(validBody(code), fc.nat(), raw, extraKey, fc.boolean())
    .map(([body, pick, value, key, extra]) => {
      const paths = pathsOf(body);
      const path = extra || paths.length === 0 ? [key] : (paths[pick % paths.length] as (string | number)[]);
      return withRaw(body, path, value);
    });
}
