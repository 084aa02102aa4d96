import { describe, expect, it } from "vitest";
import { comparisonIntro, comparisonLines, type PairedRun, runRows } from "./pair-table.ts";
import { sampleRun as run } from "./sample-run.ts";

const labels = { a: "A", b: "B" };
const runs: PairedRun[] = [
  { pair: 1, side: "a", run: run({ endedAt: "2026-12-07T19:49:00.000Z" }) },
  {
    pair: 1,
    side: "b",
    run: run({ onlinePerSecond: 1404, loginP99Ms: 1118.2, platformCoreWaitSeconds: 90 }),
  },
  { pair: 2, side: "b", run: run({ onlinePerSecond: 1980, loginP99Ms: 350.7, platformCoreWaitSeconds: 74 }) },
  {
    pair: 2,
    side: "a",
    run: run({ onlinePerSecond: 1431, steadyHeartbeat: { p50: 1.2, p99: 67.3, p999: 132.4 } }),
  },
];

describe("bench:farm-pairs' table", () => {
  it("gives each run a row in the order they ran, with its aims when the run is the aims' own", () => {
    const rows = runRows(runs, labels);
    expect(rows).toHaveLength(6);
    expect(rows[2]).toBe(
      "| 19:49 | 1 | A | 1,500 | 250.0 | 500 | 30.00 | 50 / 400 | 260.0 / 420.0 | 1.40 / 43.1 / 75.3 | 1,228 µs (91 %) | 100,000 of 100,000, 0, 0 | met / not |",
    );
    expect(rows[3]).toContain("| 1 | B | 1,404 | 1,118.2 |");
    expect(rows[4]).toMatch(/\| met \/ met \|$/);
    expect(rows[5]).toMatch(/\| not \/ not \|$/);
  });

  it("leaves the aims out when the runs are not 100,000 devices ramped at 2,000 a second", () => {
    const small = runs.map((r) => ({ ...r, run: { ...r.run, devices: 2000 } }));
    expect(runRows(small, labels)[0]).not.toContain("aims");
    expect(comparisonLines(small, labels).join("\n")).not.toContain("aim 1");
  });

  it("counts, figure by figure, the pairs in which B read higher and lower, with the rate's difference pair by pair", () => {
    const lines = comparisonLines(runs, labels);
    expect(lines).toContain(
      "- devices online a second, first power-on to all online: A 1,431-1,500, B 1,404-1,980; B higher in 1, lower in 1 of 2 pairs (p = 1); B minus A, pair by pair: -96, +549.",
    );
    expect(lines).toContain(
      "- login p99, ms: A 250.0, B 350.7-1,118.2; B higher in 2, lower in 0 of 2 pairs (p = 0.50).",
    );
    expect(lines).toContain(
      "- the platform's main threads' wait for a core, s: A 50, B 74-90; B higher in 2, lower in 0 of 2 pairs (p = 0.50).",
    );
    expect(lines).toContain(
      "- steady heartbeat p99, ms: A 43.1-67.3, B 43.1; B higher in 0, lower in 1 of 2 pairs (p = 1).",
    );
    expect(lines.at(-1)).toBe(
      "- aim 1 (every device held, no errors, steady heartbeat p99 < 50 ms and p99.9 < 200 ms) met in 1 of 2 runs with A, 2 of 2 with B; aim 2 (1,970 a second or more to every device online, login p99 < 1 s, no login timeouts) in 0 of 2 and 1 of 2.",
    );
  });

  it("counts only the pairs in which both runs gave a figure", () => {
    const partial = [
      ...runs.slice(0, 3),
      { pair: 2, side: "a" as const, run: run({ onlinePerSecond: undefined }) },
    ];
    expect(comparisonLines(partial, labels)[0]).toBe(
      "- devices online a second, first power-on to all online: A 1,500, B 1,404-1,980; B higher in 0, lower in 1 of 1 pair (p = 1); B minus A, pair by pair: -96.",
    );
  });

  it("gives each figure the sign test's p, and says the least p the pairs can show", () => {
    const six = [1, 2, 3, 4, 5, 6].flatMap((pair) => [
      { pair, side: "a" as const, run: run({ loginP99Ms: 200 + pair }) },
      { pair, side: "b" as const, run: run({ loginP99Ms: 300 + pair, onlinePerSecond: 1500 + (pair % 2) }) },
    ]);
    const lines = comparisonLines(six, labels);
    expect(lines).toContain(
      "- login p99, ms: A 201.0-206.0, B 301.0-306.0; B higher in 6, lower in 0 of 6 pairs (p = 0.031).",
    );
    expect(lines[0]).toContain("B higher in 3, lower in 0 of 6 pairs (p = 0.25)");
    expect(comparisonIntro(six)).toContain("with 6 pairs no figure can show less than 0.031;");
    expect(comparisonIntro(runs)).toContain("with 2 pairs no figure can show less than 0.50;");
    expect(comparisonIntro(runs.slice(0, 3))).toContain("with 1 pair no figure can show less than 1;");
  });
});
