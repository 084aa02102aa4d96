import type { ClauseResult } from "../scenarios/conformance/clause.ts";
import type { CliIo } from "./io.ts";

/**
 * Writes clause results as a suite command prints them: one JSON line per clause, then a summary; exit code 1 when
 * any clause failed.
 */
export function reportClauses(
  io: CliIo,
  results: ClauseResult[],
  description: string,
  setExitCode: (code: number) => void,
): void {
  for (const r of results) {
    io.stdout.write(
      `${JSON.stringify({ event: "clause", ...r, targetMs: Math.round(r.targetMs), wallMs: Math.round(r.wallMs) })}\n`,
    );
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = {
    event: "summary",
    target: description,
    passed: count("pass"),
    failed: count("fail"),
    notApplicable: count("not-applicable"),
  };
  io.stdout.write(`${JSON.stringify(summary)}\n`);
  if (count("fail") > 0) setExitCode(1);
}
