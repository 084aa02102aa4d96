/// <reference lib="dom" />
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
}

async function open(file: string): Promise<{ facts: PageFacts; problems: string[] }> {
  const { page, problems, plots, drawn, plotsDrawn } = await openReport(browser, file, "canvas.plot");
  const facts = await page.evaluate(() => ({
    rows: document.querySelectorAll("#clause-table tbody tr").length,
    failureRows: document.querySelectorAll("section.failure table.timeline tbody tr").length,
    hasCertificate: document.getElementById("certificate") !== null,
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
});
