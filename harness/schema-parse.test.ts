import { describe, expect, it } from "vitest";
import { z } from "zod";
import { safeParseReporting } from "./schema-parse.ts";

describe("safeParseReporting", () => {
  const schema = z.looseObject({ sequence: z.string().regex(/^\d{1,5}$/), time: z.number().int() });

  it("gives zod's own result on success", () => {
    expect(safeParseReporting(schema, { sequence: "12", time: 3, extra: true })).toEqual({
      success: true,
      data: { sequence: "12", time: 3, extra: true },
    });
  });

  it("reports the input of each issue on failure", () => {
    const result = safeParseReporting(schema, { sequence: "x12", time: 3 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["sequence"], input: "x12" });
  });
});
