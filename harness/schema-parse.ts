import { z } from "zod";

/**
 * Parses of one schema on zod's interpreter before it is compiled. A schema checked a few times (a profile, a fleet
 * file) is not worth generating code for; one on the frame path (an Mc body, the CTS envelope) is parsed thousands of
 * times a second.
 */
export const COMPILE_AFTER_PARSES = 64;

interface Tier {
  parses: number;
  compiled: z.ZodType | undefined;
}

const tiers = new WeakMap<z.ZodType, Tier>();
/** Off zod's generated code, with the input of each issue (zod's `reportInput`). */
const INTERPRETED_REPORTING = { jitless: true, reportInput: true } as const;

/** `schema` compiled (`z.compile`) once it has been parsed `COMPILE_AFTER_PARSES` times; before that, undefined. */
function compiledOf(schema: z.ZodType): z.ZodType | undefined {
  let tier = tiers.get(schema);
  if (tier === undefined) {
    tier = { parses: 0, compiled: undefined };
    tiers.set(schema, tier);
  }
  if (tier.compiled === undefined && ++tier.parses > COMPILE_AFTER_PARSES) tier.compiled = z.compile(schema);
  return tier.compiled;
}

/**
 * `schema.safeParse(value)` whose issues, on failure, carry the value they are about (`reportInput`), so an error can
 * name the field and the value. A schema's first parses run on zod's interpreter; after that, on the schema compiled
 * whole (one generated function, several times faster on an Mc body and without an object per field), whose failures
 * zod parses again on the interpreter for their issues.
 */
export function safeParseReporting<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const compiled = compiledOf(schema);
  if (compiled === undefined) return schema.safeParse(value, INTERPRETED_REPORTING);
  if (compiled !== schema)
    return compiled.safeParse(value, INTERPRETED_REPORTING) as z.ZodSafeParseResult<z.output<S>>;
  // A schema zod could not compile: its own parse, and again with the inputs when it fails.
  const fast = schema.safeParse(value);
  return fast.success ? fast : schema.safeParse(value, { reportInput: true });
}

/**
 * Whether `value` passes `schema` (zod's `validate`), without the checked copy a parse builds: for a value the caller
 * keeps as it is (a body about to be encoded). On the same tiers as `safeParseReporting`; once compiled, zod runs a
 * generated check that builds no output. A failure says nothing of why: `safeParseReporting` does.
 */
export function passesSchema(schema: z.ZodType, value: unknown): boolean {
  return (compiledOf(schema) ?? schema).validate(value);
}
