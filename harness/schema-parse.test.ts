import { describe, expect, it } from "vitest";
import { z } from "zod";
import { COMPILE_AFTER_PARSES, passesSchema, safeParseReporting } from "./schema-parse.ts";

/** A fresh schema each time: the tiers count each schema's parses. */
const schema = () =>
  z.looseObject({
    sequence: z.string().regex(/^\d{1,5}$/),
    time: z.number().int(),
    status: z.array(z.looseObject({ name: z.string().min(1), value: z.string() })),
  });

describe("safeParseReporting", () => {
  const valid = { sequence: "12", time: 3, status: [{ name: "a", value: "1", extra: 2 }], extra: true };
  const invalid = { sequence: "x12", time: 3, status: [] };

  it("gives zod's own result on success", () => {
    expect(safeParseReporting(schema(), valid)).toEqual({ success: true, data: valid });
  });

  it("reports the input of each issue on failure", () => {
    const result = safeParseReporting(schema(), invalid);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["sequence"], input: "x12" });
  });

  it("answers the same on the interpreter and, past its first parses, compiled", () => {
    const s = schema();
    const results = Array.from({ length: COMPILE_AFTER_PARSES * 2 }, (_, i) => ({
      ok: safeParseReporting(s, valid),
      bad: safeParseReporting(s, invalid),
      badNested: safeParseReporting(s, { ...valid, status: [{ name: "", value: 1 }] }),
      i,
    }));
    const first = results[0];
    for (const r of results) {
      expect(r.ok).toEqual(first?.ok);
      expect(r.bad.error?.issues).toEqual(first?.bad.error?.issues);
      expect(r.badNested.error?.issues).toEqual(first?.badNested.error?.issues);
    }
    expect(first?.badNested.error?.issues.map((issue) => [issue.path, issue.input])).toEqual([
      [["status", 0, "name"], ""],
      [["status", 0, "value"], 1],
    ]);
  });

  it("gives an output of its own: the parsed value is never the input object", () => {
    const s = schema();
    for (let i = 0; i < COMPILE_AFTER_PARSES * 2; i++) {
      const input = structuredClone(valid);
      const result = safeParseReporting(s, input);
      expect(result.data).toEqual(input);
      expect(result.data).not.toBe(input);
    }
  });

  it("checks a failing value at most twice once compiled: the compiled check, then zod's own parse for the issues", () => {
    let checks = 0;
    const counted = z.looseObject({
      sequence: z.string().refine((text) => {
        checks++;
        return /^\d{1,5}$/.test(text);
      }),
    });
    for (let i = 0; i <= COMPILE_AFTER_PARSES; i++) safeParseReporting(counted, { sequence: "1" });
    checks = 0;
    const failed = safeParseReporting(counted, { sequence: "x" });
    expect(failed.error?.issues[0]).toMatchObject({ path: ["sequence"], input: "x" });
    expect(checks).toBeLessThanOrEqual(2);
    checks = 0;
    safeParseReporting(counted, { sequence: "2" });
    expect(checks).toBe(1);
  });
});

describe("passesSchema", () => {
  const values = [
    { sequence: "12", time: 3, status: [{ name: "a", value: "1", extra: 2 }], extra: true },
    { sequence: "x12", time: 3, status: [] },
    { sequence: "12", time: 3.5, status: [] },
    { sequence: "12", time: 3, status: [{ name: "", value: "1" }] },
    { sequence: "12", time: 3, status: [{ name: "a", value: 1 }] },
    { sequence: "12", time: 3 },
    null,
    "12",
  ];

  it("agrees with a parse on the interpreter and, past its first parses, compiled", () => {
    const s = schema();
    for (let round = 0; round < COMPILE_AFTER_PARSES * 2; round++)
      for (const value of values) expect(passesSchema(s, value)).toBe(s.safeParse(value).success);
    expect(values.map((value) => passesSchema(s, value))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
