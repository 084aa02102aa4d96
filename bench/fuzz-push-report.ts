import type { PushFuzzReport } from "../emulators/push-receiver/testing/push-fuzz.ts";

/** The push receiver's part of the `Fuzzing` section of docs/benchmarks.md (bench/fuzz.ts, step 3). */
export function pushFuzzLines(report: PushFuzzReport): string[] {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const counts = (m: Record<string, number | undefined>) =>
    Object.entries(m)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([k, c]) => `${k}: ${n(c ?? 0)}`)
      .join(", ");
  return [
    `**Push receiver**: \`hilfarm push receive\` as a child process (signing on, recording to a file) on loopback; a legitimate sender pushed a signed push every 250 requests and after the last. ${(report.wallMs / 1000).toFixed(0)} s wall.`,
    "",
    "| figure | value |",
    "| --- | ---: |",
    `| hostile requests sent | ${n(report.sent)} |`,
    `| ... by how they were signed | ${counts(report.bySigning)} |`,
    `| requests per second | ${n(report.framesPerSecond)} |`,
    `| crashes (receiver process stopped) | ${report.crash === undefined ? 0 : 1} |`,
    `| legitimate pushes answered with the success / sent | ${n(report.legit.answered)} / ${n(report.legit.sent)} |`,
    `| hostile requests taken for a push (failures) | ${report.failures.filter((f) => f.includes("taken for a push")).length} |`,
    `| truly signed pushes with a push's body, accepted | ${n(report.accepted)} |`,
    `| answers by status | ${counts(report.byStatus)} |`,
    `| HTTP 200 answers by code | ${counts(report.byCode)} |`,
    `| not answered within 5 s / refused by the sending side | ${n(report.noAnswer)} / ${n(report.notSent)} |`,
    `| receiver RSS at start / end (MiB) | ${report.rss.startMb ?? "?"} / ${report.rss.endMb ?? "?"} |`,
    `| record written (MiB; accepted pushes are recorded whole, others as an excerpt) | ${report.recordBytes === undefined ? "?" : (report.recordBytes / 2 ** 20).toFixed(1)} |`,
    "",
    ...(report.crash === undefined
      ? []
      : [
          `Push receiver crash: ${report.crash.slice(0, 300)}; last requests: ${report.suspects.slice(-4).join("; ")}.`,
        ]),
    ...report.failures.slice(0, 10).map((f) => `Push receiver failure: ${f}.`),
    ...report.legit.lost.map((l) => `Legitimate push not answered with the success: ${l}.`),
  ];
}
