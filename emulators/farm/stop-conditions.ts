import { showValue, UsageError } from "../../harness/errors.ts";
import type { LatencyHistograms } from "./latency-histograms.ts";
import { type LoadLatencyKind, loadLatencyKinds } from "./load-report.ts";

/** `heartbeat-p99>100` (ms), `errors>500` (errors of every kind but planned churn), `lost-devices>0`. */
export type StopCondition =
  | { text: string; kind: "latency"; latency: LoadLatencyKind; percentile: number; aboveMs: number }
  | { text: string; kind: "errors"; above: number }
  | { text: string; kind: "lost-devices"; above: number };

const LATENCY = new RegExp(`^(${loadLatencyKinds.join("|")})-p(50|90|99|99\\.9)>(\\d+(?:\\.\\d+)?)$`);

export function parseStopCondition(text: string): StopCondition {
  const t = text.trim();
  const latency = LATENCY.exec(t);
  if (latency !== null)
    return {
      text: t,
      kind: "latency",
      latency: latency[1] as LoadLatencyKind,
      percentile: Number(latency[2]),
      aboveMs: Number(latency[3]),
    };
  const count = /^(errors|lost-devices)>(\d+)$/.exec(t);
  if (count !== null) return { text: t, kind: count[1] as "errors", above: Number(count[2]) };
  throw new UsageError(
    "stop-on",
    `--stop-on must be <kind>-p<50|90|99|99.9>><ms> (kinds: ${loadLatencyKinds.join(", ")}), errors>N or lost-devices>N; got ${showValue(text)}`,
  );
}

export interface StopInputs {
  latencies: LatencyHistograms;
  errors: Record<string, number>;
  lostDevices: number;
}

/** Planned disturbances, not errors. */
const NOT_ERRORS = new Set(["churn-power-cycle"]);

export function totalErrors(errors: Record<string, number>): number {
  return Object.entries(errors).reduce((n, [kind, count]) => (NOT_ERRORS.has(kind) ? n : n + count), 0);
}

/** What the condition sees now, and whether it trips. */
export function evaluateStop(
  condition: StopCondition,
  inputs: StopInputs,
): { tripped: boolean; seen: string } {
  switch (condition.kind) {
    case "latency": {
      const count = inputs.latencies.count(condition.latency);
      if (count === 0) return { tripped: false, seen: "not measured yet" };
      const ms = inputs.latencies.percentile(condition.latency, condition.percentile);
      return { tripped: ms > condition.aboveMs, seen: `${ms.toFixed(2)} ms over ${count} round trips` };
    }
    case "errors": {
      const n = totalErrors(inputs.errors);
      return { tripped: n > condition.above, seen: `${n} errors` };
    }
    case "lost-devices":
      return {
        tripped: inputs.lostDevices > condition.above,
        seen: `${inputs.lostDevices} devices lost`,
      };
  }
}
