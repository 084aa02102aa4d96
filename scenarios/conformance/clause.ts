import type { Capability, PlatformTarget } from "../../harness/target/target.ts";

export type ClauseStatus = "pass" | "fail" | "not-applicable";

export interface ClauseResult {
  clause: string;
  title: string;
  status: ClauseStatus;
  /** What was expected and what was seen, or why the clause does not apply. */
  detail: string;
  /** Target time the clause took (simulated on a virtual clock), and wall time. */
  targetMs: number;
  wallMs: number;
}

/** A check of one clause against a target: throws `ClauseFailure` (expected vs seen) when the target fails it. */
export interface ClauseCheck {
  clause: string;
  title: string;
  needs?: Capability[];
  run(target: PlatformTarget): Promise<void>;
}

export class ClauseFailure extends Error {}

/** Fails the clause with what was expected and what was seen. */
export function expectThat(condition: boolean, expected: string, seen: string): asserts condition {
  if (!condition) throw new ClauseFailure(`expected ${expected}; saw ${seen}`);
}

/** Runs checks one after the other; one failing never stops the others. */
export async function runClauses(
  target: PlatformTarget,
  checks: readonly ClauseCheck[],
): Promise<ClauseResult[]> {
  const results: ClauseResult[] = [];
  for (const check of checks) {
    const startedAt = target.clock.now();
    const wallStart = performance.now();
    const missing = (check.needs ?? []).filter((c) => !target.capabilities.has(c));
    let status: ClauseStatus = "pass";
    let detail = "";
    if (missing.length > 0) {
      status = "not-applicable";
      detail = `${target.description} lacks ${missing.join(", ")}`;
    } else {
      try {
        await check.run(target);
      } catch (error) {
        status = "fail";
        detail = error instanceof Error ? error.message : String(error);
      }
    }
    results.push({
      clause: check.clause,
      title: check.title,
      status,
      detail,
      targetMs: target.clock.now() - startedAt,
      wallMs: performance.now() - wallStart,
    });
  }
  return results;
}
