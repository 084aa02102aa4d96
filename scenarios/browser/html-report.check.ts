/// <reference lib="dom" />
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordLockSession } from "../../emulators/replay/testing/lock-session.ts";
import { killAll, runHilfarm } from "../../harness/testing/child-process.ts";
import { htmlReport } from "../../reports/html.ts";
import type { RunReport } from "../../reports/model.ts";
import { sampleReport } from "../../reports/testing/sample-report.ts";
import { launchChromium, openReport } from "./report-page.ts";

/**
 * The HTML reports in a real browser: they load with no console error and no network request, every plot is drawn
 * (pixels on each canvas), the clause table has a row per clause, and a failure shows its frame timeline.
 */
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), "hilfarm-html-"));
});

afterAll(async () => {
  await browser?.close();
  killAll();
});

interface PageFacts {
  rows: number;
  failureRows: number;
  canvases: number;
  paintedCanvases: number;
  plotsDrawn: number;
  hasCertificate: boolean;
  comparisonRows: number;
  backgroundRows: number;
}

async function open(file: string): Promise<{ facts: PageFacts; problems: string[] }> {
  const { page, problems, plots, drawn, plotsDrawn } = await openReport(browser, file, "canvas.plot");
  const facts = await page.evaluate(() => ({
    rows: document.querySelectorAll("#clause-table tbody tr").length,
    failureRows: document.querySelectorAll("section.failure table.timeline tbody tr").length,
    hasCertificate: document.getElementById("certificate") !== null,
    comparisonRows: document.querySelectorAll("section.failure table.comparison tbody tr").length,
    backgroundRows: document.querySelectorAll("table.background tbody tr").length,
  }));
  await page.close();
  return { facts: { ...facts, canvases: plots.length, paintedCanvases: drawn.length, plotsDrawn }, problems };
}

const caseCount = (report: RunReport) => report.suites.reduce((n, s) => n + s.cases.length, 0);

describe("HTML reports in headless Chromium", () => {
  it("hilfarm run scenarios/timing: every clause a row, every plot drawn, no console error", async () => {
    const out = join(dir, "timing");
    const run = await runHilfarm(["run", "scenarios/timing", "--report-dir", out]);
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as RunReport;
    const { facts, problems } = await open(join(out, "report.html"));
    expect(problems).toEqual([]);
    expect(facts.rows).toBe(caseCount(report));
    expect(facts.canvases).toBeGreaterThanOrEqual(5);
    expect(facts.paintedCanvases).toBe(facts.canvases);
    expect(facts.plotsDrawn).toBe(facts.canvases);
  });

  it("a failing run shows the failure's frame timeline", async () => {
    const out = join(dir, "failing");
    const run = await runHilfarm([
      "run",
      "scenarios/conformance/platform-target.test.ts",
      "--target",
      "emulated?offline-heartbeats=2",
      "--report-dir",
      out,
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as RunReport;
    const { facts, problems } = await open(join(out, "report.html"));
    expect(problems).toEqual([]);
    expect(facts.rows).toBe(caseCount(report));
    expect(facts.failureRows).toBeGreaterThanOrEqual(4);
    expect(facts.paintedCanvases).toBe(facts.canvases);
  });

  it("the certification variant opens with the device's identity and draws its plots", async () => {
    const file = join(dir, "certification.html");
    const report = sampleReport("certification");
    await writeFile(file, htmlReport(report));
    const { facts, problems } = await open(file);
    expect(problems).toEqual([]);
    expect(facts.hasCertificate).toBe(true);
    expect(facts.rows).toBe(caseCount(report));
    expect(facts.canvases).toBe(3);
    expect(facts.paintedCanvases).toBe(3);
  });

  it("a failing replay shows the recorded and the replayed frames side by side", async () => {
    const evidence = join(dir, "lock-session.jsonl");
    await recordLockSession(evidence);
    const out = join(dir, "replay");
    const run = await runHilfarm([
      ...["replay", "--evidence", evidence, "--device", "emulated", "--misbehaviour", "refuseKeyOrders"],
      ...["--report-dir", out],
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as RunReport;
    const { facts, problems } = await open(join(out, "report.html"));
    expect(problems).toEqual([]);
    expect(facts.rows).toBe(caseCount(report));
    // Two failures (the refused key order, the resource report that never came): 2 + 1 rows side by side.
    expect(facts.comparisonRows).toBe(3);
  });

  it("a certification under load shows the background fleet's figures on its first page", async () => {
    const file = join(dir, "under-load.html");
    const report: RunReport = {
      ...sampleReport("certification"),
      background: {
        fleet: "background.json",
        devices: 2000,
        peakOnline: 2000,
        onlineAtEnd: 2000,
        lostDevices: 0,
        rampPerSecond: 200,
        churnPerSecond: 1,
        controlsPerSecond: 2,
        seconds: 61,
        latency: {
          login: { count: 2061, p50: 4.1, p99: 40.2 },
          heartbeat: { count: 58000, p50: 3.2, p99: 317.4 },
          control: { count: 120, p50: 5.5, p99: 30.1 },
        },
        errors: {},
        report: "background-load/report.html",
      },
    };
    await writeFile(file, htmlReport(report));
    const { facts, problems } = await open(file);
    expect(problems).toEqual([]);
    expect(facts.hasCertificate).toBe(true);
    expect(facts.backgroundRows).toBe(9);
  });
});
