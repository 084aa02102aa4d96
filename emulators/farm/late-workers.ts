import type { LoadReport, WorkerSummary } from "./load-report.ts";

/**
 * What a run's late workers say: undefined when every worker sent its snapshots on time (once a second); otherwise
 * which ones went silent for longer than the late limit and for how long (a lost one is reported as lost). A worker
 * that is late but not lost still runs: on one machine, its process waited for a core (the platform and the other
 * workers held them), so its figures and the run's latencies carry that wait. Workers in Linux's idle scheduling class
 * (`--idle-workers`) get a core only when nothing else wants it, and the message names that as the likely cause.
 */
export function lateWorkers(report: {
  workers: ReadonlyArray<Pick<WorkerSummary, "workerId" | "longestSilenceS" | "state">>;
  machine: Pick<LoadReport["machine"], "idleWorkers">;
}): string | undefined {
  const late = report.workers.filter((w) => w.longestSilenceS !== undefined && w.state !== "lost");
  if (late.length === 0) return undefined;
  const longest = Math.max(...late.map((w) => w.longestSilenceS ?? 0));
  const named = late
    .slice(0, 5)
    .map((w) => `${w.workerId} ${w.longestSilenceS} s`)
    .join(", ");
  const more = late.length > 5 ? ` and ${late.length - 5} more` : "";
  const why =
    report.machine.idleWorkers === true
      ? "they ran in the idle scheduling class (--idle-workers), so they got a core only when the platform and the coordinator left one: " +
        "their devices' round trips and logins include that wait; run without --idle-workers while the machine's cores are saturated (a fast ramp), " +
        "or run fewer devices per machine"
      : "likely their processes got no CPU for that long (on one machine: its cores were saturated) or were held up; " +
        "their devices' round trips include that wait; run fewer devices per machine, a slower ramp, or the platform on another machine";
  return `${late.length} of ${report.workers.length} workers went silent for up to ${longest} s (${named}${more}): ${why}`;
}
