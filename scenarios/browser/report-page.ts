/// <reference lib="dom" />
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's chromium, headless; a clear error naming the package when it is not there. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no browser at ${chromiumPath}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  return puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

export interface OpenedReport {
  page: Page;
  /** Console errors and warnings, page errors, and any request that leaves the file. */
  problems: string[];
  /** Each `selector` canvas's `data-plot` (or its position), and those actually drawn. */
  plots: string[];
  drawn: string[];
  /** What the report itself counted as drawn (`body[data-plots-drawn]`). */
  plotsDrawn: number;
}

/**
 * Opens a report file and waits until its plots are drawn. Drawn means a Chart.js chart with data elements on it
 * and pixels on its canvas (axes alone would paint too). The caller closes `page`.
 */
export async function openReport(browser: Browser, file: string, selector: string): Promise<OpenedReport> {
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
  const facts = await page.evaluate((canvasSelector: string) => {
    const canvases = Array.from(document.querySelectorAll(canvasSelector)) as HTMLCanvasElement[];
    type ChartLike = {
      getDatasetMeta(i: number): { data: unknown[] };
      data: { datasets: Array<{ data: unknown[] }> };
    };
    const chartOf = (canvas: HTMLCanvasElement) =>
      (
        window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }
      ).Chart.getChart(canvas);
    const isDrawn = (canvas: HTMLCanvasElement) => {
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
    };
    const name = (canvas: HTMLCanvasElement, i: number) => canvas.getAttribute("data-plot") ?? `#${i}`;
    return {
      plots: canvases.map(name),
      drawn: canvases.flatMap((c, i) => (isDrawn(c) ? [name(c, i)] : [])),
      plotsDrawn: Number(document.body.getAttribute("data-plots-drawn")),
    };
  }, selector);
  return { page, problems, ...facts };
}
