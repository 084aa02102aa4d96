import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { COMPILE_AFTER_PARSES, passesSchema, safeParseReporting } from "../../../schema-parse.ts";
import { type McCode, mcCodes } from "../packet-types.ts";
import { bodyArbitraries } from "../testing/arbitraries.ts";
import { bodySchemas } from "./index.ts";

/**
 * Every Mc body schema answers the same through `safeParseReporting` once compiled (past its first parses, the
 * frame path's case) as zod's interpreter does: the same success, the same output, the same issues with their inputs.
 * Bodies are valid ones, valid ones with one field replaced by anything, and anything.
 */
const interpreted = (code: McCode, value: unknown) =>
  bodySchemas[code].safeParse(value, { jitless: true, reportInput: true });

const mutated = (code: McCode) =>
  fc.tuple(bodyArbitraries[code], fc.nat(), fc.anything()).map(([body, at, replacement]) => {
    const keys = Object.keys(body);
    const key = keys[at % keys.length] as string;
    return { ...body, [key]: replacement };
  });

/** A code and a value for its body: a valid body, one with a field replaced by anything, or anything. */
const codeAndValue = fc
  .constantFrom(...mcCodes)
  .chain((code) =>
    fc.tuple(fc.constant(code), fc.oneof(bodyArbitraries[code], mutated(code), fc.anything())),
  );

/** Every body schema past its first parses: compiled, the frame path's case (the tiers count parses and checks). */
function pastFirstParses(): void {
  for (const code of mcCodes)
    for (let i = 0; i <= COMPILE_AFTER_PARSES; i++) safeParseReporting(bodySchemas[code], {});
}

describe("Mc body schemas compiled", () => {
  it("all compile: none is left on zod's per-object path", () => {
    for (const code of mcCodes)
      expect(() => z.compile(bodySchemas[code], { strict: true }), String(code)).not.toThrow();
  });

  it("answer as on zod's interpreter", () => {
    pastFirstParses();
    fc.assert(
      fc.property(codeAndValue, ([code, value]) => {
        const got = safeParseReporting(bodySchemas[code], value);
        const want = interpreted(code, value);
        expect(got.success).toBe(want.success);
        if (want.success) expect(got.data).toEqual(want.data);
        else expect(got.error?.issues).toEqual(want.error.issues);
      }),
      { numRuns: 2000 },
    );
  });

  it("pass a value exactly when zod's interpreter does, and then its copy holds the value's own fields (parseBody keeps the value)", () => {
    pastFirstParses();
    fc.assert(
      fc.property(codeAndValue, ([code, value]) => {
        // What parseBody sees: a value fresh from JSON.parse.
        const json: unknown = JSON.parse(JSON.stringify(value) ?? "null");
        const want = interpreted(code, json);
        expect(passesSchema(bodySchemas[code], json)).toBe(want.success);
        if (want.success) expect(want.data).toStrictEqual(json);
      }),
      { numRuns: 2000 },
    );
  });
});
