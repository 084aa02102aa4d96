import type { z } from "zod";
import { showValue, UsageError } from "./errors.ts";
import { safeParseReporting } from "./schema-parse.ts";

/**
 * Parses a JSON document against a schema. Every problem becomes one line naming the file, the field and the
 * value (`fleet.json: devices.0.count: Too small (got -1)`), all in one `UsageError`.
 */
export function parseJsonFile<T>(text: string, file: string, schema: z.ZodType<T>, field: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      field,
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = safeParseReporting(schema, json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const got = "input" in issue ? ` (got ${showValue(issue.input)})` : "";
      return `${file}: ${issue.path.join(".") || field}: ${issue.message}${got}`;
    });
    throw new UsageError(field, lines.join("\n"));
  }
  return parsed.data;
}
