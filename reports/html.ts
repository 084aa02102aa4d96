import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type LatencyKind, latencyKinds } from "../harness/evidence/latency.ts";
import { frameDirection } from "./junit.ts";
import {
  type CaseReport,
  type ComparedFrame,
  type FrameComparison,
  type RunReport,
  totals,
} from "./model.ts";
import { histogram, percentile } from "./stats.ts";

const esc = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

let chartJs: string | undefined;
/** Chart.js's UMD build, inlined so the report needs no network. */
export function chartLibrary(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve("chart.js");
    chartJs = readFileSync(join(dirname(entry), "chart.umd.min.js"), "utf8").replace(
      /<\/script/gi,
      "<\\/script",
    );
  }
  return chartJs;
}

const latencyTitles: Record<LatencyKind, string> = {
  login: "Login (1002 -> 1003), device side",
  connect: "Connect (1004 -> 1005), device side",
  heartbeat: "Heartbeat round trip (1000 -> 1001), device side",
  report: "State report acknowledgement (2006 -> 2007), device side",
  control: "Control round trip (2005 -> 2004), platform side",
  query: "Query round trip (2003 -> 2002), platform side",
};

const STATUS_TEXT = {
  pass: "pass",
  fail: "FAIL",
  "not-applicable": "not applicable",
  "not-run": "not run",
} as const;

function caseRow(c: CaseReport, suite: string, index: number): string {
  const detail = c.status === "fail" ? `<a href="#failure-${index}">${esc(c.detail)}</a>` : esc(c.detail);
  return `<tr class="case ${c.status}" data-clause="${esc(c.clause)}"><td>${esc(c.clause)}</td><td>${esc(
    c.title,
  )}<div class="suite">${esc(suite)}</div></td><td class="status">${STATUS_TEXT[c.status]}</td><td>${detail}</td><td class="num">${(
    c.targetMs / 1000
  ).toFixed(1)}</td><td class="num">${(c.wallMs / 1000).toFixed(2)}</td></tr>`;
}

function failureSection(c: CaseReport, index: number): string {
  const frames = c.timeline?.frames ?? [];
  const origin = c.timeline?.failedAt ?? 0;
  const rows = frames
    .map(
      (f) =>
        `<tr class="${f.at > origin ? "after" : ""}"><td class="num">${((f.at - origin) / 1000).toFixed(3)}</td><td>${esc(frameDirection(f))}</td><td>${f.code} ${esc(f.name)}</td><td>${esc(f.sequence ?? "-")}</td><td><code>${esc(
          f.note ?? JSON.stringify(f.body),
        )}</code></td></tr>`,
    )
    .join("\n");
  const table =
    c.comparison !== undefined
      ? comparisonTable(c.comparison)
      : frames.length === 0
        ? "<p>No frames were recorded for this scenario.</p>"
        : `<table class="timeline"><thead><tr><th>t (s, 0 = failure)</th><th>direction</th><th>code</th><th>sequence</th><th>body (decrypted, secrets masked)</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section class="failure" id="failure-${index}"><h3>${esc(`${c.clause} ${c.title}`.trim())}</h3><p class="detail">${esc(
    c.detail,
  )}</p>${table}</section>`;
}

/**
 * A certification beside a background fleet: the device under test (a real device, first) and the emulated fleet's
 * figures over the same run, so a lab can tell "passes when alone" from "passes under load".
 */
function backgroundSection(report: RunReport): string {
  const b = report.background;
  if (b === undefined) return "";
  const ms = (x: { count: number; p50: number; p99: number }) =>
    x.count === 0 ? "none" : `${x.count} round trips, p50 ${x.p50} ms, p99 ${x.p99} ms`;
  const errors = Object.entries(b.errors)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  const rows = [
    ["Device under test (real)", `${report.device?.deviceId ?? ""}: ${verdictOf(report)}`],
    ["Background fleet (emulated)", `${b.devices} devices from ${b.fleet}, for ${b.seconds.toFixed(0)} s`],
    ["Online", `peak ${b.peakOnline}, at the end ${b.onlineAtEnd}, lost ${b.lostDevices}`],
    [
      "Load",
      `ramp ${b.rampPerSecond}/s, churn ${b.churnPerSecond} devices/s, ${b.controlsPerSecond} controls/s`,
    ],
    ["Logins", ms(b.latency.login)],
    ["Heartbeats", ms(b.latency.heartbeat)],
    ["Controls", ms(b.latency.control)],
    ["Errors", errors === "" ? "none" : errors],
    ["Load report", b.report],
  ];
  return `<h2>Under load</h2><table class="identity background"><tbody>${rows
    .map(([k, v]) => `<tr><th>${esc(k ?? "")}</th><td>${esc(v ?? "")}</td></tr>`)
    .join("")}</tbody></table>`;
}

function verdictOf(report: RunReport): string {
  const t = totals(report);
  return `${t.failed > 0 || t.notRun > 0 ? "FAIL" : "PASS"}: ${t.passed} passed, ${t.failed} failed, ${t.notApplicable} not applicable`;
}

/** A replayed exchange: recorded frames on the left, replayed ones on the right, differences below. */
function comparisonTable(comparison: FrameComparison): string {
  const cell = (f: ComparedFrame | undefined) =>
    f === undefined
      ? "<td>-</td>"
      : `<td><b>${f.code} ${esc(f.name)}</b> at ${(f.atMs / 1000).toFixed(3)} s<br><code>${esc(JSON.stringify(f.body))}</code></td>`;
  const rows = Array.from(
    { length: Math.max(comparison.recorded.length, comparison.replayed.length) },
    (_, i) => `<tr>${cell(comparison.recorded[i])}${cell(comparison.replayed[i])}</tr>`,
  ).join("\n");
  const differences = comparison.differences.map((d) => `<li>${esc(d)}</li>`).join("");
  return `<table class="timeline comparison"><thead><tr><th>recorded</th><th>replayed</th></tr></thead><tbody>${rows}</tbody></table><ul class="differences">${differences}</ul>`;
}

/**
 * The self-contained HTML report: one file, no network. Summary, the clause-by-clause table, each failure's frame
 * timeline, latency histograms and devices online over time (Chart.js, inlined). The certification variant opens
 * with the device's identity, firmware, date, harness version and seed.
 */
export function htmlReport(report: RunReport): string {
  const t = totals(report);
  const verdict = t.failed > 0 || t.notRun > 0 ? "FAIL" : t.passed > 0 ? "PASS" : "NOTHING RUN";
  const cases = report.suites.flatMap((s) => s.cases.map((c) => ({ c, suite: s.name })));
  const failures = cases.map(({ c }, i) => ({ c, i })).filter(({ c }) => c.status === "fail");

  const plots = (Object.keys(latencyKinds) as LatencyKind[])
    .map((kind) => ({ kind, samples: report.latencies[kind] }))
    .filter(({ samples }) => samples.length > 0)
    .map(({ kind, samples }) => ({
      kind,
      title: latencyTitles[kind],
      histogram: histogram(samples),
      n: samples.length,
      p50: percentile(samples, 50),
      p90: percentile(samples, 90),
      p99: percentile(samples, 99),
      max: samples.reduce((m, s) => Math.max(m, s), 0),
    }));
  const peakOf = (s: { points: Array<[number, number]> }) => s.points.reduce((m, [, n]) => Math.max(m, n), 0);
  const online = [...report.online]
    .sort((a, b) => peakOf(b) - peakOf(a))
    .slice(0, 8)
    .map((s) => ({ label: s.label, points: downsample(s.points, 2_000) }));
  const data = JSON.stringify({ plots, online }).replace(/</g, "\\u003c");

  const identity =
    report.kind === "certification"
      ? `<section id="certificate"><h1>Certification report</h1><table class="identity"><tbody>${[
          ["Device", report.device?.deviceId ?? ""],
          ["Model", report.device?.model ?? "not reported"],
          ["Firmware version", report.device?.firmware ?? "not reported"],
          ["Transport", report.device?.transport ?? "not seen"],
          ["Date", report.finishedAt],
          [
            "Harness",
            `hilfarm ${report.harness.version} (Node ${report.harness.node}, ${report.harness.os})`,
          ],
          ["Seed", report.seed ?? "none"],
          ["Platform under which it ran", report.target],
          [
            "Verdict",
            `${verdict}: ${t.passed} passed, ${t.failed} failed, ${t.notApplicable} not applicable${t.notRun > 0 ? `, ${t.notRun} not run (the run stopped)` : ""}`,
          ],
        ]
          .map(([k, v]) => `<tr><th>${esc(k ?? "")}</th><td>${esc(v ?? "")}</td></tr>`)
          .join("")}</tbody></table>${backgroundSection(report)}</section>`
      : `<h1>${esc(report.title)}</h1>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d6dae3; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
th { background: #f4f6fa; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.case.pass .status { color: #17803d; } .case.fail .status { color: #b42318; font-weight: 700; } .case.not-applicable .status, .case.not-run .status { color: #6b7280; }
.case.fail { background: #fff4f2; } .suite { color: #6b7280; font-size: .85em; }
.verdict { font-size: 1.3rem; font-weight: 700; } .verdict.PASS { color: #17803d; } .verdict.FAIL { color: #b42318; }
.identity th { width: 16rem; } #certificate { page-break-after: always; }
.timeline code { font-size: .85em; word-break: break-all; } .timeline tr.after { color: #6b7280; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1.5rem; }
figure { margin: 0; } figcaption { color: #4b5563; font-size: .9em; } canvas { width: 100%; max-height: 260px; }
</style>
</head>
<body>
${identity}
<section id="summary">
<h2>Summary</h2>
<p class="verdict ${verdict.split(" ")[0]}">${verdict}</p>
<table><tbody>
<tr><th>Passed</th><td class="num">${t.passed}</td></tr>
<tr><th>Failed</th><td class="num">${t.failed}</td></tr>
<tr><th>Not applicable</th><td class="num">${t.notApplicable}</td></tr>
${t.notRun > 0 ? `<tr><th>Not run (the run stopped)</th><td class="num">${t.notRun}</td></tr>` : ""}
<tr><th>Target</th><td>${esc(report.target)}</td></tr>
<tr><th>Seed</th><td>${esc(report.seed ?? "none")}</td></tr>
<tr><th>Started / finished</th><td>${esc(report.startedAt)} / ${esc(report.finishedAt)} (${(report.wallMs / 1000).toFixed(1)} s)</td></tr>
<tr><th>Command</th><td><code>${esc(report.command)}</code></td></tr>
<tr><th>Harness</th><td>hilfarm ${esc(report.harness.version)}, Node ${esc(report.harness.node)}, ${esc(report.harness.os)}</td></tr>
${report.evidence === undefined ? "" : `<tr><th>Evidence (every frame)</th><td><code>${esc(report.evidence)}</code></td></tr>`}
</tbody></table>
</section>
<section id="clauses">
<h2>Clauses</h2>
<table id="clause-table"><thead><tr><th>Clause</th><th>What is checked</th><th>Result</th><th>Expected / seen, or why not applicable</th><th class="num">Target s</th><th class="num">Wall s</th></tr></thead>
<tbody>
${cases.map(({ c, suite }, i) => caseRow(c, suite, i)).join("\n")}
</tbody></table>
</section>
${failures.length === 0 ? "" : `<section id="failures"><h2>Failures and their frame timelines</h2>${failures.map(({ c, i }) => failureSection(c, i)).join("\n")}</section>`}
<section id="plots">
<h2>Latency and devices online</h2>
<div class="plots">
${plots.map((p) => `<figure><canvas id="latency-${p.kind}" class="plot"></canvas><figcaption>${esc(p.title)}: ${p.n} samples; p50 ${p.p50} ms, p90 ${p.p90} ms, p99 ${p.p99} ms, max ${p.max} ms</figcaption></figure>`).join("\n")}
${online.length === 0 ? "" : `<figure><canvas id="online" class="plot"></canvas><figcaption>Devices with a session over time (seconds on each scenario's clock)${online.length > 3 ? `; ${online.length} scenarios: ${esc(online.map((o) => o.label).join("; "))}` : ""}</figcaption></figure>`}
</div>
${plots.length === 0 && online.length === 0 ? "<p>No round trips or sessions were recorded.</p>" : ""}
</section>
<script>${chartLibrary()}</script>
<script type="application/json" id="report-data">${data}</script>
<script>
(() => {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var drawn = 0;
  Chart.defaults.animation = false;
  data.plots.forEach((p) => {
    new Chart(document.getElementById("latency-" + p.kind), {
      type: "bar",
      data: {
        labels: p.histogram.edges.map((e) => e + "-" + (e + p.histogram.width) + " ms"),
        datasets: [{ label: "round trips", data: p.histogram.counts, backgroundColor: "#3b6fd8" }]
      },
      options: { responsive: true, plugins: { legend: { display: false }, title: { display: true, text: p.kind } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "count" } } } }
    });
    drawn++;
  });
  if (data.online.length > 0) {
    var colours = ["#3b6fd8", "#d8763b", "#17803d", "#9b3bd8", "#b42318", "#0e7490", "#a16207", "#4b5563"];
    new Chart(document.getElementById("online"), {
      type: "line",
      data: { datasets: data.online.map((s, i) => ({ label: s.label, stepped: true, borderColor: colours[i % colours.length], pointRadius: 0,
          data: s.points.map((p) => ({ x: p[0] / 1000, y: p[1] })) })) },
      options: { responsive: true, plugins: { legend: { display: data.online.length <= 3 } }, scales: { x: { type: "linear", title: { display: true, text: "s" } },
        y: { beginAtZero: true, title: { display: true, text: "devices online" } } } }
    });
    drawn++;
  }
  document.body.setAttribute("data-plots-drawn", String(drawn));
})();
</script>
</body>
</html>
`;
}

/** At most `max` points, the first and last kept: enough for a chart, small enough for any report. */
function downsample(points: Array<[number, number]>, max: number): Array<[number, number]> {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % step === 0);
  const last = points.at(-1);
  if (last !== undefined && kept.at(-1) !== last) kept.push(last);
  return kept;
}
