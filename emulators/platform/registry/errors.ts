import { UsageError } from "../../../harness/errors.ts";

/** One bad entry of a registry: where it is (file, line and/or JSON path) and which field is wrong. */
export interface RegistryProblem {
  file: string;
  line?: number;
  path?: string;
  field: string;
  message: string;
}

/** `lab.csv:7: pin: must be ...` (CSV), `lab.json:12: devices[1].pin: must be ...` (JSON). */
export function formatProblem(problem: RegistryProblem): string {
  const line = problem.line === undefined ? "" : `:${problem.line}`;
  return `${problem.file}${line}: ${problem.path ?? problem.field}: ${problem.message}`;
}

/** A registry refused as a whole: every problem found, one per line of the message. */
export class RegistryError extends UsageError {
  readonly problems: RegistryProblem[];
  constructor(problems: RegistryProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super("registry", [`registry refused (${count}):`, ...problems.map(formatProblem)].join("\n"));
    this.problems = problems;
  }
}
