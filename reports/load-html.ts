import { farmShareOfTail } from "../emulators/farm/farm-delay.ts";
import { FARM_TICK_MS } from "../emulators/farm/farm-tick.ts";
import { lateWorkers } from "../emulators/farm/late-workers.ts";
import {
  isFarmTiming,
  type LatencySummary,
  type LoadLatencyKind,
  type LoadReport,
  loadLatencyKinds,
  STEAL_WARNING_PERCENT,
} from "../emulators/farm/load-report.ts";
import { localPortShortage } from "../emulators/farm/local-ports.ts";
import { rampLag, rampTimed } from "../emulators/farm/ramp-lag.ts";
import { chartLibrary } from "./html.ts";
import { baseCss, bytes, downsample, esc, keyRow, ms, scriptJson, table } from "./html-parts.ts";

const latencyTitles: Record<LoadLatencyKind, string> = {
  login: "Login (1002 -> 1003), device side",
  connect: "Connect (1004 -> 1005), device side",
  heartbeat: "Heartbeat round trip (1000 -> 1001), device side",
  report: "State report acknowledgement (2006 -> 2007), device side",
  control: "Control round trip (2005 -> 2004), control side",
  "farm-delay": "The farm's own delay: how late each worker ran a timer due every 10 ms (not a round trip)",
  "timer-late": `The farm's timers: how late each worker fired a heartbeat, resend or ramp tick beyond its ${FARM_TICK_MS} ms resolution (not a round trip)`,
};

/** The most points the devices-online line carries. */
export const maxOnlinePoints = 2_000;

function latencyRow(kind: LoadLatencyKind, s: LatencySummary): string {
  const head = `<tr data-kind="${kind}"><th>${esc(kind)}</th>`;
  if (s.count === 0)
    return `${head}<td class="num">0</td><td colspan="7" class="unmeasured">not measured</td></tr>`;
  const cells = [s.min, s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map(
    (v) => `<td class="num">${ms(v)}</td>`,
  );
  return `${head}<td class="num">${s.count}</td>${cells.join("")}</tr>`;
}

function latencyTable(id: string, latency: LoadReport["latency"]): string {
  const headers = [
    "Round trip, or the farm's own timing",
    "#count",
    "#min ms",
    "#mean ms",
    "#p50 ms",
    "#p90 ms",
    "#p99 ms",
    "#p99.9 ms",
    "#max ms",
  ];
  return table(
    id,
    headers,
    loadLatencyKinds.map((kind) => latencyRow(kind, latency[kind])),
    "",
  );
}

/** When a worker held its ramp, as the profile gives it (absent from reports of earlier versions). */
function rampHoldText(hold: LoadReport["profile"]["rampHold"]): string {
  if (hold === undefined) return "";
  return hold === "off" ? " (never held)" : ` (held while a worker ran more than ${hold} ms behind)`;
}

/**
 * A worker's ramp, seconds after the run's first power-on: first power-on / last / all online, "-" for never; and how
 * long it held its ramp while it ran behind, when it did.
 */
function workerRamp(w: LoadReport["workers"][number]): string {
  if (w.ramp === undefined) return "";
  const s = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(2));
  const held = w.ramp.heldSeconds === undefined ? "" : ` (held ${w.ramp.heldSeconds.toFixed(2)})`;
  return `${s(w.ramp.firstPowerOnSeconds)} / ${s(w.ramp.lastPowerOnSeconds)} / ${s(w.ramp.allOnlineSeconds)}${held}`;
}

function workerRows(report: LoadReport): string[] {
  return report.workers.map((w) => {
    const lost = w.state === "lost";
    return `<tr class="worker ${lost ? "lost" : "finished"}" data-worker="${esc(w.workerId)}"><td>${esc(w.workerId)}</td><td>${esc(
      w.host,
    )}</td><td>${esc(w.shards.join(", "))}</td><td class="num">${w.devices}</td><td class="num">${w.online}</td><td class="num">${esc(
      bytes(w.rssBytes),
    )}</td><td class="num">${w.cpuSeconds.toFixed(1)}</td><td class="num">${w.coreWaitSeconds === undefined ? "" : w.coreWaitSeconds.toFixed(1)}</td><td class="num">${esc(workerRamp(w))}</td><td class="num">${esc(w.longestSilenceS ?? "")}</td><td class="state">${lost ? "LOST" : "finished"}</td><td>${esc(
      w.lostAt ?? "",
    )}</td><td>${esc(w.lostReason ?? "")}</td></tr>`;
  });
}

function shardRows(report: LoadReport): string[] {
  return report.shards.map(
    (s) =>
      `<tr class="shard ${s.state}"><td class="num">${s.shard}</td><td class="num">${s.devices}</td><td class="state">${esc(
        s.state,
      )}</td><td>${esc(s.workers.join(" -> "))}</td><td>${esc(s.note ?? "")}</td></tr>`,
  );
}

/**
 * The platform's own counters beside the harness's; a counter the platform does not report reads "not reported".
 * Counters of the same traffic should agree, and a row where they do not is marked; the platform's use of memory, CPU
 * and cores stands beside the workers' to be read, not matched, and is never marked.
 */
function platformRows(report: LoadReport): string[] {
  const p = report.platform;
  if (p === undefined) return [];
  const t = report.totals;
  type Row = [string, number | undefined, number | undefined, (n: number) => string];
  const counters: Row[] = [
    ["Sessions online at end", p.sessionsOnline, t.onlineAtEnd, String],
    ["Logins", p.logins, t.logins, String],
    ["Connects", p.connects, t.connects, String],
    ["Heartbeats", p.heartbeats, t.heartbeats, String],
    ["Frames into the platform (harness: frames out)", p.framesIn, t.framesOut, String],
  ];
  const usage: Row[] = [
    ["RSS (harness: all workers)", p.rssBytes, t.workerRssBytes, bytes],
    ["Peak RSS (harness: all workers)", p.peakRssBytes, t.workerPeakRssBytes, bytes],
    ["CPU seconds (harness: all workers)", p.cpuSeconds, t.workerCpuSeconds, (n) => n.toFixed(1)],
    [
      "Seconds its main threads waited for a core (harness: all workers)",
      p.coreWaitSeconds,
      t.workerCoreWaitSeconds,
      (n) => n.toFixed(1),
    ],
  ];
  const row = ([name, platform, harness, show]: Row, compared: boolean) => {
    const differs = compared && platform !== undefined && harness !== undefined && platform !== harness;
    return `<tr${differs ? ' class="differs"' : ""}><th>${esc(name)}</th><td class="num">${
      platform === undefined ? "not reported" : esc(show(platform))
    }</td><td class="num">${harness === undefined ? "-" : esc(show(harness))}</td></tr>`;
  };
  return [...counters.map((r) => row(r, true)), ...usage.map((r) => row(r, false))];
}

/**
 * The self-contained HTML report of a `hilfarm load` run: one file, no network. Header, totals, latency
 * percentiles and histograms, devices online over time (Chart.js, inlined), errors, workers and shards, the
 * platform's own counters beside the harness's, and the stop conditions.
 */
/** A mixed fleet's real devices, first and marked: how each attached and how often it was online. */
function realDevicesSection(report: LoadReport): string {
  if (report.real === undefined || report.real.length === 0) return "";
  const rows = report.real.map(
    (d) =>
      `<tr class="real"><td>${esc(d.deviceId)} <b>(real)</b></td><td>${esc(d.model ?? "")}</td><td>${esc(d.attach)}</td><td>${esc(
        d.state ??
          `${d.onlineAtEnd === true ? "online" : "OFFLINE"} at the end; online in ${Math.round((d.onlineShare ?? 0) * 100)} % of ${d.samples ?? 0} samples`,
      )}</td></tr>`,
  );
  return `<section id="real-devices">
<h2>Real devices</h2>
${table("real-table", ["Device", "Model", "Attached", "Online"], rows, "none")}
</section>
`;
}

export function loadHtmlReport(report: LoadReport): string {
  const t = report.totals;
  const plots = loadLatencyKinds
    .filter((kind) => report.latency[kind].count > 0)
    .map((kind) => ({ kind, buckets: report.latency[kind].buckets }));
  const online = downsample(report.online, maxOnlinePoints).map((p) => [p.t, p.online]);
  const data = scriptJson({ plots, online });
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const m = report.machine;
  const farmShare = farmShareOfTail(report);
  const farmShareOfLogins = farmShareOfTail(report, "login");
  const portShortage = localPortShortage(report);
  const late = lateWorkers(report);
  const lag = rampLag(report);
  const timed = rampTimed(report);
  const platformDelay = report.platform?.ownDelayP99UpToMs;
  const platformSteadyDelay = report.platform?.ownDelaySteadyP99UpToMs;
  const pr = report.profile;
  const errors = Object.entries(report.errors).sort(([, a], [, b]) => b - a);
  const title = `hilfarm load report: ${report.target.platform}`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
${baseCss}
tr.lost, tr.reassigned, tr.differs, tr.tripped { background: #fff4f2; } tr.lost .state, tr.tripped .state { color: #b42318; font-weight: 700; }
p.warning { background: #fff4f2; color: #b42318; padding: 0.5em; }
</style>
</head>
<body>
<h1>hilfarm load report</h1>
<section id="header"><table><tbody>
${keyRow("Target", `${report.target.platform}: ${report.target.description}`)}
${keyRow("Started / finished", `${report.startedAt} / ${report.finishedAt}${Number.isFinite(seconds) ? ` (${seconds.toFixed(1)} s)` : ""}`)}
${keyRow("Stop reason", report.stopReason)}
${keyRow("Seed", report.seed)}
${keyRow("Broker", report.broker)}
${keyRow("Harness", `${report.harness.name} ${report.harness.version}, Node ${report.harness.node}`)}
${keyRow("Machine", `${m.cpus} x ${m.cpuModel}, ${bytes(m.totalMemoryBytes)}, ${m.platform}`)}
${m.separateCpus === undefined ? "" : keyRow("Separate CPUs", `the reference platform on CPU ${m.separateCpus.platform.join(", ")}, the workers on CPU ${m.separateCpus.workers.join(", ")} (--separate-cpus)`)}
${m.idleWorkers === true ? keyRow("Idle workers", "the local workers ran in Linux's idle scheduling class (--idle-workers): a platform woken by them ran at once, and they got only the CPU left over") : ""}
${farmShare === undefined ? "" : keyRow("The farm's own delay", farmShare.text)}
${farmShareOfLogins === undefined ? "" : keyRow("The farm's own delay beside the logins", farmShareOfLogins.text)}
${platformDelay === undefined ? "" : keyRow("The platform's own delay", `p99 at most ${ms(platformDelay)} ms over the whole run${platformSteadyDelay === undefined ? "" : `, at most ${ms(platformSteadyDelay)} ms once steady`} (its /metrics: how late it ran a timer due every 10 ms)`)}
${m.cpuStolenPercent === undefined ? "" : keyRow("CPU taken by the hypervisor", `${m.cpuStolenPercent.toFixed(1)} % of all cores during the run${m.cpuStolenPercent >= STEAL_WARNING_PERCENT ? ": every process stalled that much, and the percentiles include it" : ""}`)}
${timed === undefined ? "" : keyRow("The ramp, by the workers' clocks", timed)}
${lag === undefined ? "" : keyRow("Behind the ramp", lag)}
${keyRow(
  "Profile",
  `${pr.devices} devices, ramp ${pr.rampPerSecond}/s${rampHoldText(pr.rampHold)}, steady ${pr.steadySeconds} s, churn ${pr.churnPerSecond}/s, controls ${pr.controlsPerSecond}/s${pr.faults === undefined ? "" : `, faults ${pr.faults}`}`,
)}
</tbody></table></section>
${realDevicesSection(report)}<section id="summary">
<h2>Summary</h2>
<table id="summary-table"><tbody>
${keyRow("Devices", t.devices)}
${keyRow("Peak online", t.peakOnline)}
${keyRow("Online at end", t.onlineAtEnd)}
${keyRow("Frames per second (out + in)", `${t.framesPerSecond.toFixed(1)} (${t.framesOut} out, ${t.framesIn} in)`)}
${keyRow("RSS per device", bytes(t.rssBytesPerDevice))}
${keyRow("RSS per device at the workers' peak", t.peakRssBytesPerDevice === undefined ? "not reported" : bytes(t.peakRssBytesPerDevice))}
${keyRow("Worker RSS", bytes(t.workerRssBytes))}
${keyRow("Worker peak RSS", t.workerPeakRssBytes === undefined ? "not reported" : bytes(t.workerPeakRssBytes))}
${keyRow("Worker CPU seconds", t.workerCpuSeconds.toFixed(1))}
${keyRow("Seconds the workers' main threads waited for a core", t.workerCoreWaitSeconds === undefined ? "not reported" : t.workerCoreWaitSeconds.toFixed(1))}
${keyRow("Lost devices", t.lostDevices)}
</tbody></table>
</section>
<section id="latency">
<h2>Latency (whole run)</h2>
${latencyTable("latency-table", report.latency)}
${report.steady === undefined ? "" : `<h3>Steady state (from ${esc(report.steady.fromSeconds)} s)</h3>\n${latencyTable("steady-latency-table", report.steady.latency)}`}
</section>
<section id="plots">
<h2>Latency histograms and devices online</h2>
<div class="plots">
${plots.map((p) => `<figure><canvas class="plot" data-plot="latency-${p.kind}"></canvas><figcaption>${esc(latencyTitles[p.kind])}: ${report.latency[p.kind].count} ${isFarmTiming(p.kind) ? "samples" : "round trips"}</figcaption></figure>`).join("\n")}
${online.length === 0 ? "" : `<figure><canvas class="plot" data-plot="online"></canvas><figcaption>Devices online (seconds since start)</figcaption></figure>`}
</div>
${plots.length === 0 && online.length === 0 ? '<p class="empty">No round trips or online samples were recorded.</p>' : ""}
</section>
<section id="errors">
<h2>Errors by kind</h2>
${table(
  "errors-table",
  ["Kind", "#count"],
  errors.map(([kind, n]) => `<tr><td>${esc(kind)}</td><td class="num">${esc(n)}</td></tr>`),
  "no errors",
)}
${portShortage === undefined ? "" : `<p class="warning" id="local-port-shortage">${esc(portShortage)}</p>`}
</section>
<section id="workers">
<h2>Workers</h2>
${table("workers-table", ["Worker", "Host", "Shards", "#devices", "#online at end", "#RSS", "#CPU s", "#waited for a core s", "#ramp s: first / last power-on / all online (held)", "#longest silence s", "State", "Lost at", "Lost reason"], workerRows(report), "no workers")}
${late === undefined ? "" : `<p class="warning" id="late-workers">${esc(late)}</p>`}
<h3>Shards</h3>
${table("shards-table", ["#shard", "#devices", "State", "Workers", "Note"], shardRows(report), "no shards")}
</section>
${
  report.platform === undefined
    ? ""
    : `<section id="platform">
<h2>Platform counters beside the harness's</h2>
${table("platform-table", ["Counter", "#platform", "#harness"], platformRows(report), "")}
</section>`
}
<section id="stop-conditions">
<h2>Stop conditions</h2>
${table(
  "stop-table",
  ["Condition", "State", "Seen"],
  report.stopConditions.map(
    (c) =>
      `<tr class="${c.tripped ? "tripped" : "held"}"><td>${esc(c.condition)}</td><td class="state">${c.tripped ? "TRIPPED" : "held"}</td><td>${esc(c.seen)}</td></tr>`,
  ),
  "no stop conditions",
)}
</section>
<script>${chartLibrary()}</script>
<script type="application/json" id="load-report-data">${data}</script>
<script>
(() => {
  var data = JSON.parse(document.getElementById("load-report-data").textContent);
  var drawn = 0;
  var canvas = (name) => document.querySelector('canvas[data-plot="' + name + '"]');
  Chart.defaults.animation = false;
  data.plots.forEach((p) => {
    new Chart(canvas("latency-" + p.kind), {
      type: "bar",
      data: {
        labels: p.buckets.map((b) => "<= " + b.upToMs + " ms"),
        datasets: [{ label: "round trips", data: p.buckets.map((b) => b.count), backgroundColor: "#3b6fd8" }]
      },
      options: { responsive: true, plugins: { legend: { display: false }, title: { display: true, text: p.kind } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "count" } } } }
    });
    drawn++;
  });
  if (data.online.length > 0) {
    new Chart(canvas("online"), {
      type: "line",
      data: { datasets: [{ label: "devices online", borderColor: "#3b6fd8", pointRadius: 0,
          data: data.online.map((p) => ({ x: p[0], y: p[1] })) }] },
      options: { responsive: true, plugins: { legend: { display: false } }, scales: { x: { type: "linear", title: { display: true, text: "s" } },
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
