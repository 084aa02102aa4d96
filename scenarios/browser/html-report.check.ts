/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, runHilfarm } from "../../harness/testing/child-process.ts";
import { htmlReport } from "../../reports/html.ts";
import type { RunReport } from "../../reports/model.ts";
import { sampleReport } from "../../reports/testing/sample-report.ts";

/**
 * The HTML reports in a real browser: they load with no console error and no network request, every plot is drawn
 * (pixels on each canvas), the clause table has a row per clause, and a failure shows its frame timeline.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no browser at ${chromiumPath}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
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
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warn")
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) =>
    problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`),
  );
  page.on("request", (request) => {
    if (!request.url().startsWith("file:") && !request.url().startsWith("data:"))
      problems.push(`network request: ${request.url()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.waitForSelector("body[data-plots-drawn]", { timeout: 10_000 });
  const facts = await page.evaluate(() => {
    const canvases = Array.from(document.querySelectorAll("canvas.plot")) as HTMLCanvasElement[];
    type ChartLike = {
      getDatasetMeta(i: number): { data: unknown[] };
      data: { datasets: Array<{ data: unknown[] }> };
    };
    const chartOf = (canvas: HTMLCanvasElement) =>
      (
        window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }
      ).Chart.getChart(canvas);
    // Drawn means a chart with data elements on it, and pixels on its canvas (axes alone would paint too).
    const painted = canvases.filter((canvas) => {
      const chart = chartOf(canvas);
      if (
        chart === undefined ||
        chart.data.datasets.every((_, i) => chart.getDatasetMeta(i).data.length === 0)
      )
        return false;
      const context = canvas.getContext("2d");
      if (context === null || canvas.width === 0 || canvas.height === 0) return false;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) return true;
      return false;
    });
    return {
      rows: document.querySelectorAll("#clause-table tbody tr").length,
      failureRows: document.querySelectorAll("section.failure table.timeline tbody tr").length,
      canvases: canvases.length,
      paintedCanvases: painted.length,
      plotsDrawn: Number(document.body.getAttribute("data-plots-drawn")),
      hasCertificate: document.getElementById("certificate") !== null,
    };
  });
  await page.close();
  return { facts, problems };
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
