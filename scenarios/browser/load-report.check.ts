/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLatencyKinds } from "../../harness/load/load-report.ts";
import { loadHtmlReport } from "../../reports/load-html.ts";
import { sampleLoadReport } from "../../reports/testing/sample-load-report.ts";

/**
 * The load report in a real browser: it loads with no console error and no network request, every
 * `canvas[data-plot]` carries a Chart.js chart with data elements and pixels, and the latency table has a row per kind.
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
  dir = await mkdtemp(join(tmpdir(), "hilfarm-load-html-"));
});

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("load HTML report in headless Chromium", () => {
  it("draws every plot, has a latency row per kind, and logs no error", async () => {
    const file = join(dir, "load-report.html");
    const report = sampleLoadReport();
    await writeFile(file, loadHtmlReport(report));

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
      const canvases = Array.from(document.querySelectorAll("canvas[data-plot]")) as HTMLCanvasElement[];
      type ChartLike = {
        getDatasetMeta(i: number): { data: unknown[] };
        data: { datasets: Array<{ data: unknown[] }> };
      };
      const chartOf = (canvas: HTMLCanvasElement) =>
        (
          window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }
        ).Chart.getChart(canvas);
      // Drawn means a chart with data elements on it, and pixels on its canvas (axes alone would paint too).
      const drawn = canvases.filter((canvas) => {
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
        plots: canvases.map((c) => c.getAttribute("data-plot")),
        drawn: drawn.map((c) => c.getAttribute("data-plot")),
        plotsDrawn: Number(document.body.getAttribute("data-plots-drawn")),
        latencyRows: Array.from(document.querySelectorAll("#latency-table tbody tr")).map((r) =>
          r.getAttribute("data-kind"),
        ),
        lostWorkers: document.querySelectorAll("#workers-table tr.lost").length,
      };
    });
    await page.close();

    expect(problems).toEqual([]);
    const measured = loadLatencyKinds.filter((kind) => report.latency[kind].count > 0);
    expect(facts.plots).toEqual([...measured.map((kind) => `latency-${kind}`), "online"]);
    expect(facts.drawn).toEqual(facts.plots);
    expect(facts.plotsDrawn).toBe(facts.plots.length);
    expect(facts.latencyRows).toEqual([...loadLatencyKinds]);
    expect(facts.lostWorkers).toBe(1);
  });
});
