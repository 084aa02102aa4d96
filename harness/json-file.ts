import type { z } from "zod";
import { showValue, UsageError } from "./errors.ts";
import { safeParseReporting } from "./schema-parse.ts";
import { isSecretField, REDACTED } from "./secrets.ts";

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
      // A secret (a real device's PIN in a fleet file, say) is never shown, however wrong it is.
      const secret = isSecretField(issue.path.at(-1) as string | undefined);
      const got = !("input" in issue)
        ? ""
        : secret
          ? ` (got ${REDACTED})`
          : ` (got ${showValue(issue.input)})`;
      return `${file}: ${issue.path.join(".") || field}: ${issue.message}${got}`;
    });
    throw new UsageError(field, lines.join("\n"));
  }
  return parsed.data;
}
