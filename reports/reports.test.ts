import { describe, expect, it } from "vitest";
import { htmlReport } from "./html.ts";
import { junitXml } from "./junit.ts";
import { splitClause } from "./model.ts";
import { histogram, percentile } from "./stats.ts";
import { sampleReport } from "./testing/sample-report.ts";
import { junitSchemaErrors } from "./validate-junit.ts";

describe("JUnit report", () => {
  it("validates against the common JUnit schema, with a suite per clause group and a test per clause", async () => {
    const xml = junitXml(sampleReport());
    expect(await junitSchemaErrors(xml)).toEqual([]);
    // No `skipped` on the root: Jenkins' junit-10.xsd does not allow it there (the suites carry it).
    expect(xml).toContain(
      '<testsuites name="hilfarm run scenarios/timing" tests="3" failures="1" errors="0" time=',
    );
    expect(xml).toContain('<testsuite id="0" name="5.4.2.3 heartbeat supervision" tests="3" failures="1"');
    expect(xml).toContain('classname="scenarios.timing.connection"');
    expect(xml).toContain('<skipped message="not applicable: target lacks power-cycle"/>');
    expect(xml).toContain('name="5.4.2.3 a silent device &lt;is&gt; &quot;offline&quot; &amp; gone"');
    expect(xml).toContain(
      'message="expected offline after 100000 ms of silence; saw offline after 70000 ms"',
    );
    // The failure's text carries its frame timeline.
    expect(xml).toMatch(/-70\.000 s {2}device -&gt; platform {2}1000 HeartbeatRequest {2}seq 101/);
  });

  it("stays valid with control characters and an empty run", async () => {
    const report = sampleReport();
    const first = report.suites[0]?.cases[1];
    if (first) first.detail = "saw \u0001\u0007 bytes";
    expect(await junitSchemaErrors(junitXml(report))).toEqual([]);
    expect(await junitSchemaErrors(junitXml({ ...report, suites: [] }))).toEqual([]);
  });

  it("the schema rejects what JUnit readers reject", async () => {
    expect(await junitSchemaErrors("<testsuites><testsuite/></testsuites>")).not.toEqual([]);
    expect(await junitSchemaErrors('<testsuites><testsuite name="s" tests="x"/></testsuites>')).not.toEqual(
      [],
    );
    expect(await junitSchemaErrors('<testsuites skipped="1"/>')).not.toEqual([]);
  });
});

describe("HTML report", () => {
  it("is one self-contained file: a row per clause, each failure's timeline, the charting library inlined", () => {
    const html = htmlReport(sampleReport());
    expect(html.match(/<tr class="case /g)?.length).toBe(3);
    expect(html).toContain('<tr class="case fail" data-clause="5.4.2.3">');
    expect(html).toContain('<section class="failure" id="failure-1">');
    expect(html).toContain("a silent device &lt;is&gt; &quot;offline&quot; &amp; gone");
    expect(html).toMatch(
      /<td class="num">-70\.000<\/td><td>device -&gt; platform<\/td><td>1000 HeartbeatRequest<\/td>/,
    );
    expect(html).toContain('<canvas id="latency-heartbeat"');
    expect(html).toContain('<canvas id="latency-control"');
    expect(html).not.toContain('<canvas id="latency-login"');
    expect(html).toContain('<canvas id="online"');
    expect(html).toContain("Chart.js v4");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).not.toContain("</script><script>\n</script>");
  });

  it("the certification variant opens with the device, firmware, date, harness version and seed", () => {
    const html = htmlReport(sampleReport("certification"));
    const first = html.slice(
      html.indexOf('<section id="certificate">'),
      html.indexOf('<section id="summary">'),
    );
    for (const text of [
      "0000111122223333aaaabbbb",
      "LOCK-01",
      "1.0.0.1",
      "2026-11-22T08:00:05.000Z",
      "hilfarm 0.1.0",
      "42",
      "FAIL",
    ])
      expect(first).toContain(text);
  });

  it("cannot be broken out of by what a device sends", () => {
    const report = sampleReport();
    const c = report.suites[0]?.cases[1];
    if (c?.timeline?.frames[0]) c.timeline.frames[0].body = { note: "</script><script>alert(1)</script>" };
    const html = htmlReport(report);
    expect(html).not.toContain("<script>alert(1)");
  });
});

describe("report helpers", () => {
  it("splits a clause from a test name", () => {
    expect(splitClause("5.4.2.3 offline at exactly 3 x 30 s")).toEqual({
      clause: "5.4.2.3",
      title: "offline at exactly 3 x 30 s",
    });
    expect(splitClause("5.4.3.15-16 MD5 mismatch")).toEqual({ clause: "5.4.3.15-16", title: "MD5 mismatch" });
    expect(splitClause("5.4.2 (3) any message counts")).toEqual({
      clause: "5.4.2 (3)",
      title: "any message counts",
    });
    expect(splitClause("fleet files set misbehaviour")).toEqual({
      clause: "",
      title: "fleet files set misbehaviour",
    });
  });

  it("percentiles by nearest rank, histograms from 0 to the largest sample", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(samples, 50), percentile(samples, 99), percentile(samples, 100)]).toEqual([
      50, 99, 100,
    ]);
    expect(percentile([], 50)).toBeUndefined();
    const h = histogram([0, 0, 1, 9, 19], 10);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.edges[0]).toBe(0);
    expect(h.counts[0]).toBe(3);
  });
});
