import { describe, expect, it } from "vitest";
import { type LoadReport, loadLatencyKinds } from "../emulators/farm/load-report.ts";
import { loadHtmlReport, maxOnlinePoints } from "./load-html.ts";
import { sampleLoadReport } from "./testing/sample-load-report.ts";

/** The element with this id, from its opening tag to the first closing `</tag>` after it. */
function element(html: string, tag: string, id: string): string {
  const start = html.indexOf(`<${tag} id="${id}"`);
  expect(start, `no <${tag} id="${id}">`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf(`</${tag}>`, start));
}

function chartData(html: string): {
  plots: Array<{ kind: string; buckets: LoadReport["latency"]["heartbeat"]["buckets"] }>;
  online: Array<[number, number]>;
} {
  const match = /<script type="application\/json" id="load-report-data">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match?.[1] ?? "null");
}

describe("load HTML report", () => {
  const report = sampleLoadReport();
  const html = loadHtmlReport(report);

  it("has a latency row per kind with its percentiles, and 'not measured' for a kind never seen", () => {
    const latency = element(html, "table", "latency-table");
    const rows = latency.match(/<tr data-kind="[a-z-]+">.*?<\/tr>/g) ?? [];
    expect(rows.map((r) => /data-kind="([a-z-]+)"/.exec(r)?.[1])).toEqual([...loadLatencyKinds]);
    const heartbeat = rows[2] ?? "";
    expect(heartbeat).toContain(`<td class="num">${report.latency.heartbeat.count}</td>`);
    expect(heartbeat).toContain('<td class="num">18.2</td>'); // p99
    expect(heartbeat).toContain('<td class="num">412.9</td>'); // max
    expect(heartbeat).not.toContain("not measured");
    expect(rows[4]).toContain("not measured");
    expect(rows.filter((r) => r.includes("not measured"))).toHaveLength(1);
  });

  it("sets the farm's own delay beside the heartbeat's tail, and says when that tail is the farm's", () => {
    expect(html).toContain(
      "The farm&#39;s own delay</th><td>the farm&#39;s own delay p99 (1.00 ms) against the steady heartbeat",
    );
    expect(html).toContain("the farm itself added no more than a few ms");
    expect(html).toContain(
      "The platform&#39;s own delay</th><td>p99 at most 20.0 ms over the whole run, at most 50.0 ms once steady",
    );
    const slow = { ...report.latency["farm-delay"], p99: 300 };
    const farms = loadHtmlReport({
      ...report,
      latency: { ...report.latency, "farm-delay": slow },
      ...(report.steady === undefined
        ? {}
        : { steady: { ...report.steady, latency: { ...report.steady.latency, "farm-delay": slow } } }),
    });
    expect(farms).toContain("at least half, so much of that tail is the farm&#39;s");
    // The login tail beside the farm's delay over the whole run, where the ramp's logins are.
    expect(farms).toContain(
      "The farm&#39;s own delay beside the logins</th><td>the farm&#39;s own delay p99 over the whole run (300.0 ms) against the login round trip",
    );
  });

  it("gives the workers' memory per device at the end and at their peak, and the platform's peak beside theirs", () => {
    const summary = element(html, "table", "summary-table");
    expect(summary).toContain("<th>RSS per device</th><td>43.0 KiB</td>");
    expect(summary).toContain("<th>RSS per device at the workers&#39; peak</th><td>50.0 KiB</td>");
    expect(summary).toContain("<th>Worker peak RSS</th><td>330.0 MiB</td>");
    expect(element(html, "table", "platform-table")).toContain(
      '<th>Peak RSS (harness: all workers)</th><td class="num">240.0 MiB</td><td class="num">330.0 MiB</td>',
    );
    // A report from workers that do not send their peak.
    const { peakRssBytesPerDevice: _, workerPeakRssBytes: __, ...totals } = report.totals;
    const older = loadHtmlReport({ ...report, totals });
    expect(element(older, "table", "summary-table")).toContain(
      "<th>RSS per device at the workers&#39; peak</th><td>not reported</td>",
    );
  });

  it("shows how long the workers' and the platform's main threads waited for a core, and each worker's", () => {
    expect(element(html, "table", "summary-table")).toContain(
      "<th>Seconds the workers&#39; main threads waited for a core</th><td>58.3</td>",
    );
    expect(element(html, "table", "platform-table")).toContain(
      '<th>Seconds its main threads waited for a core (harness: all workers)</th><td class="num">9.4</td><td class="num">58.3</td>',
    );
    expect(element(html, "table", "workers-table")).toContain(
      '<td class="num">74.2</td><td class="num">31.6</td>',
    );
    const { workerCoreWaitSeconds: _, ...totals } = report.totals;
    const older = loadHtmlReport({ ...report, totals });
    expect(element(older, "table", "summary-table")).toContain(
      "<th>Seconds the workers&#39; main threads waited for a core</th><td>not reported</td>",
    );
  });

  it("shows the CPU the hypervisor took, and says the percentiles include it from 5 %", () => {
    expect(html).not.toContain("CPU taken by the hypervisor");
    const machine = report.machine;
    const calm = loadHtmlReport({ ...report, machine: { ...machine, cpuStolenPercent: 0.4 } });
    expect(calm).toContain("0.4 % of all cores during the run<");
    const stolen = loadHtmlReport({ ...report, machine: { ...machine, cpuStolenPercent: 17.26 } });
    expect(stolen).toContain("17.3 % of all cores during the run: every process stalled that much");
  });

  it("shows the CPUs the platform and the workers were kept on, with --separate-cpus only", () => {
    expect(html).not.toContain("Separate CPUs");
    const separateCpus = { platform: [0, 1], workers: [2, 3] };
    const split = loadHtmlReport({ ...report, machine: { ...report.machine, separateCpus } });
    expect(split).toContain("the reference platform on CPU 0, 1, the workers on CPU 2, 3 (--separate-cpus)");
  });

  it("says the workers ran in the idle scheduling class, with --idle-workers only", () => {
    expect(html).not.toContain("Idle workers");
    const idle = loadHtmlReport({ ...report, machine: { ...report.machine, idleWorkers: true } });
    expect(idle).toContain("the local workers ran in Linux&#39;s idle scheduling class (--idle-workers)");
  });

  it("highlights the lost worker with when and why", () => {
    const workers = element(html, "table", "workers-table");
    const lost = workers.match(/<tr class="worker lost"[^>]*>.*?<\/tr>/g) ?? [];
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain("<td>w-b</td>");
    expect(lost[0]).toContain("2026-11-22T09:03:00.000Z");
    expect(lost[0]).toContain("no heartbeat from the worker for 10 s");
    expect(workers.match(/<tr class="worker finished"/g)).toHaveLength(2);
    expect(element(html, "table", "shards-table")).toMatch(
      /<tr class="shard reassigned">.*<td>w-b -&gt; w-c<\/td><td>w-b lost at 180 s; ramped again on w-c<\/td>/,
    );
  });

  it("says in the header when the devices came online far behind the ramp, and not when they kept up", () => {
    expect(element(html, "section", "header")).not.toContain("Behind the ramp");
    const base = sampleLoadReport();
    const behind = loadHtmlReport({
      ...base,
      online: base.online.map((p) => ({ t: p.t, online: Math.min(p.online, p.t * 5) })),
    });
    expect(element(behind, "section", "header")).toContain(
      "<th>Behind the ramp</th><td>the ramp asked 50 devices a second for 40 s; when it ended (40 s) 200 of 2,000 were online",
    );
  });

  it("times the ramp by the workers' clocks in the header, when the report has those times", () => {
    expect(element(html, "section", "header")).not.toContain("The ramp, by the workers&#39; clocks");
    const timed = loadHtmlReport({
      ...sampleLoadReport(),
      ramp: { firstPowerOnAt: "2026-12-05T07:00:03.120Z", lastPowerOnSeconds: 39.98, allOnlineSeconds: 40.5 },
    });
    expect(element(timed, "section", "header")).toContain(
      "<th>The ramp, by the workers&#39; clocks</th><td>the first device powered on at 2026-12-05T07:00:03.120Z; the last 39.98 s after it, 50 a second; every device online 40.50 s after it, 49 a second, 0.52 s after the last power-on</td>",
    );
  });

  it("gives the ramp's hold in the profile, and nothing of it for a report of an earlier version", () => {
    const base = sampleLoadReport();
    const profile = (rampHold: LoadReport["profile"]["rampHold"]) =>
      element(loadHtmlReport({ ...base, profile: { ...base.profile, rampHold } }), "section", "header");
    expect(profile(100)).toContain("ramp 50/s (held while a worker ran more than 100 ms behind), steady");
    expect(profile("off")).toContain("ramp 50/s (never held), steady");
    expect(profile(undefined)).toContain("ramp 50/s, steady");
  });

  it("gives each worker's ramp after the run's first power-on, '-' for what never happened", () => {
    const base = sampleLoadReport();
    const timed = loadHtmlReport({
      ...base,
      workers: base.workers.map((w, i) =>
        i === 0
          ? { ...w, ramp: { firstPowerOnSeconds: 0, lastPowerOnSeconds: 39.98, allOnlineSeconds: 40.5 } }
          : i === 1
            ? { ...w, ramp: { firstPowerOnSeconds: 6.25 } }
            : i === 2
              ? {
                  ...w,
                  ramp: {
                    firstPowerOnSeconds: 0.02,
                    lastPowerOnSeconds: 52.1,
                    allOnlineSeconds: 52.3,
                    heldSeconds: 2.12,
                  },
                }
              : w,
      ),
    });
    const workers = element(timed, "table", "workers-table");
    expect(workers).toContain('<th class="num">ramp s: first / last power-on / all online (held)</th>');
    expect(workers).toMatch(/<td>w-a<\/td>.*<td class="num">0\.00 \/ 39\.98 \/ 40\.50<\/td>/);
    expect(workers).toMatch(/<td>w-b<\/td>.*<td class="num">6\.25 \/ - \/ -<\/td>/);
    expect(workers).toMatch(/<td class="num">0\.02 \/ 52\.10 \/ 52\.30 \(held 2\.12\)<\/td>/);
  });

  it("gives a late worker's longest silence, and says under the workers which were late", () => {
    expect(html).not.toContain('id="late-workers"');
    const base = sampleLoadReport();
    const late = loadHtmlReport({
      ...base,
      workers: base.workers.map((w, i) => (i === 0 ? { ...w, longestSilenceS: 12.4 } : w)),
    });
    const section = element(late, "section", "workers");
    expect(section).toMatch(/<td>w-a<\/td>.*<td class="num">12\.4<\/td><td class="state">finished<\/td>/);
    expect(section).toContain(
      '<p class="warning" id="late-workers">1 of 3 workers went silent for up to 12.4 s (w-a 12.4 s): likely their processes got no CPU for that long',
    );
  });

  it("escapes hostile text", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const base = sampleLoadReport();
    const workers = base.workers.map((w, i) =>
      i === 1 ? { ...w, workerId: hostile, lostReason: hostile } : w,
    );
    const out = loadHtmlReport({
      ...base,
      workers,
      errors: { [hostile]: 3 },
      stopReason: `</script>${hostile}`,
    });
    expect(out).not.toContain("<img");
    expect(out).not.toContain(`</script>${hostile}`);
    expect(out).toContain(`data-worker="&lt;img src=x onerror=alert(1)&gt;"`);
    expect(out).toContain("<td>&lt;img src=x onerror=alert(1)&gt;</td>");
  });

  it("references nothing on the network", () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("Chart.js"); // inlined, not fetched
  });

  it("embeds each measured kind's buckets as given, and no plot for an unmeasured kind", () => {
    const data = chartData(html);
    expect(data.plots.map((p) => p.kind)).toEqual([
      "login",
      "connect",
      "heartbeat",
      "report",
      "farm-delay",
      "timer-late",
    ]);
    expect(data.plots.find((p) => p.kind === "heartbeat")?.buckets).toEqual(report.latency.heartbeat.buckets);
    expect(html).toContain('data-plot="latency-heartbeat"');
    expect(html).not.toContain('data-plot="latency-control"');
    expect(html).toContain('data-plot="online"');
    expect(data.online).toHaveLength(300);
    expect(data.online[200]).toEqual([200, report.online[200]?.online]);
  });

  it("downsamples devices online to at most 2,000 points, first and last kept", () => {
    const online = Array.from({ length: 86_401 }, (_, t) => ({ t, online: t % 1000 }));
    const data = chartData(loadHtmlReport(sampleLoadReport({ online })));
    expect(data.online.length).toBeLessThanOrEqual(maxOnlinePoints);
    expect(data.online.length).toBeGreaterThan(maxOnlinePoints / 2);
    expect(data.online[0]).toEqual([0, 0]);
    expect(data.online.at(-1)).toEqual([86_400, 400]);
  });

  it("compares the platform's counters with the harness's, marks the counters that differ but never its use of CPU, memory or cores, and leaves the table out without them", () => {
    const platform = element(html, "table", "platform-table");
    expect(platform).toContain(
      `<tr class="differs"><th>Heartbeats</th><td class="num">${report.latency.heartbeat.count + 7}</td><td class="num">${report.latency.heartbeat.count}</td></tr>`,
    );
    expect(platform).toContain(
      '<tr><th>Sessions online at end</th><td class="num">1996</td><td class="num">1996</td></tr>',
    );
    for (const usage of ["RSS", "Peak RSS", "CPU seconds", "Seconds its main threads waited for a core"])
      expect(platform).toContain(`<tr><th>${usage} (harness: all workers)</th>`);
    expect([...platform.matchAll(/<tr class="differs"><th>([^<]+)<\/th>/g)].map((m) => m[1])).toEqual([
      "Heartbeats",
      "Frames into the platform (harness: frames out)",
    ]);
    const { platform: _, ...withoutPlatform } = sampleLoadReport();
    expect(loadHtmlReport(withoutPlatform)).not.toContain('id="platform-table"');
  });

  it("lists errors by kind, most first, or says there were none", () => {
    const errors = element(html, "table", "errors-table");
    expect(errors.match(/<td>([a-z-]+)<\/td>/g)).toEqual([
      "<td>relogin</td>",
      "<td>resend</td>",
      "<td>login-timeout</td>",
    ]);
    const clean = loadHtmlReport(sampleLoadReport({ errors: {} }));
    expect(clean).toContain('<section id="errors">\n<h2>Errors by kind</h2>\n<p class="empty">no errors</p>');
  });

  it("says under the errors when connections found no free local port on the load machine", () => {
    expect(html).not.toContain('id="local-port-shortage"');
    const short = loadHtmlReport(sampleLoadReport({ errors: { relogin: 12, "relogin-no-local-port": 12 } }));
    expect(element(short, "section", "errors")).toContain(
      '<p class="warning" id="local-port-shortage">12 connections found no free local port on this machine (relogin-no-local-port 12)',
    );
  });

  it("shows the header and the stop conditions", () => {
    const header = element(html, "section", "header");
    for (const text of [
      "emulated: the emulated platform on 127.0.0.1:8883",
      "steady duration elapsed (200 s)",
      "mqtt://127.0.0.1:1883",
      "hilfarm 0.1.0",
      "8 x AMD EPYC 7B13",
    ])
      expect(header).toContain(text);
    const tripped = loadHtmlReport(
      sampleLoadReport({ stopConditions: [{ condition: "lost > 10%", tripped: true, seen: "25%" }] }),
    );
    expect(element(tripped, "table", "stop-table")).toContain(
      '<tr class="tripped"><td>lost &gt; 10%</td><td class="state">TRIPPED</td><td>25%</td></tr>',
    );
  });
});
