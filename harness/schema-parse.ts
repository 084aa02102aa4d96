import { z } from "zod";

/**
 * Parses of one schema before it is compiled. A schema checked once (a profile, a fleet file, an option) is never
 * worth generating code for; one on the frame path (an Mc body, the CTS envelope) is parsed thousands of times a
 * second.
 */
export const COMPILE_AFTER_PARSES = 64;

interface Tier {
  parses: number;
  compiled: z.ZodType | undefined;
}

const tiers = new WeakMap<z.ZodType, Tier>();

/** `schema` compiled (`z.compile`) once it has been parsed `COMPILE_AFTER_PARSES` times; before that, undefined. */
function compiledOf(schema: z.ZodType): z.ZodType | undefined {
  let tier = tiers.get(schema);
  if (tier === undefined) {
    tier = { parses: 0, compiled: undefined };
    tiers.set(schema, tier);
  }
  if (tier.compiled === undefined && ++tier.parses >= COMPILE_AFTER_PARSES) tier.compiled = z.compile(schema);
  return tier.compiled;
}

/**
 * `schema.safeParse(value)` whose issues, on failure, carry the value they are about (zod's `reportInput`), so an
 * error can name the field and the value. Two tiers, as a JIT has:
 * - a schema's first parses run on zod's interpreter (`jitless`): no code is generated for a schema checked a few
 *   times, which a fresh process (a CLI command, a scenario suite's first test) would pay for at every start;
 * - after that, on the schema compiled whole by `z.compile`: one generated function that checks every field and
 *   builds the output, about 6 times faster on an Mc body than zod's per-object fast path and without its
 *   per-field allocations. It answers only success; a failure is parsed again on the interpreter, with
 *   `reportInput`, for the issues (the same issues either way: zod falls back to its runtime for them).
 */
export function safeParseReporting<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const compiled = compiledOf(schema);
  if (compiled !== undefined) {
    const fast = compiled.safeParse(value) as z.ZodSafeParseResult<z.output<S>>;
    if (fast.success) return fast;
  }
  return schema.safeParse(value, { jitless: true, reportInput: true });
}
