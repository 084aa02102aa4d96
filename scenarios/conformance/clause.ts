import type { Clock } from "../../harness/clock/clock.ts";
import type { Capability } from "../target/target.ts";

/** What every target has: a description, its capabilities, and its time. */
export interface AnyTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
}

/** `not-run`: the run stopped before the clause (its link to the device went away for good). */
export type ClauseStatus = "pass" | "fail" | "not-applicable" | "not-run";

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
export interface ClauseCheck<T extends AnyTarget = AnyTarget> {
  clause: string;
  title: string;
  needs?: Capability[];
  run(target: T): Promise<void>;
}

export class ClauseFailure extends Error {}

/** Thrown by a check that finds, at run time, that it cannot apply (e.g. no command known for the model). */
export class NotApplicable extends Error {}

/** Fails the clause with what was expected and what was seen. */
export function expectThat(condition: boolean, expected: string, seen: string): asserts condition {
  if (!condition) throw new ClauseFailure(`expected ${expected}; saw ${seen}`);
}

/**
 * Runs checks one after the other; one failing never stops the others. `onResult` sees each result as it comes
 * (progress, a failure's frame timeline taken at the moment it failed).
 */
export async function runClauses<T extends AnyTarget>(
  target: T,
  checks: readonly ClauseCheck<T>[],
  onResult?: (result: ClauseResult, index: number) => void,
  /** Stops the run: the clause under way fails with the reason, the rest are reported not run. */
  stop?: AbortSignal,
): Promise<ClauseResult[]> {
  const results: ClauseResult[] = [];
  for (const check of checks) {
    const startedAt = target.clock.now();
    const wallStart = performance.now();
    const missing = (check.needs ?? []).filter((c) => !target.capabilities.has(c));
    let status: ClauseStatus = "pass";
    let detail = "";
    if (stop?.aborted) {
      status = "not-run";
      detail = `not run: ${String(stop.reason)}`;
    } else if (missing.length > 0) {
      status = "not-applicable";
      detail = `${target.description} lacks ${missing.join(", ")}`;
    } else {
      try {
        await (stop === undefined ? check.run(target) : Promise.race([check.run(target), stopped(stop)]));
      } catch (error) {
        status = error instanceof NotApplicable ? "not-applicable" : "fail";
        detail = error instanceof Error ? error.message : String(error);
      }
    }
    const result: ClauseResult = {
      clause: check.clause,
      title: check.title,
      status,
      detail,
      targetMs: target.clock.now() - startedAt,
      wallMs: performance.now() - wallStart,
    };
    results.push(result);
    onResult?.(result, results.length - 1);
  }
  return results;
}

function stopped(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(new ClauseFailure(`stopped during this clause: ${String(signal.reason)}`));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
