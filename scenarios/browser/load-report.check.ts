/// <reference lib="dom" />
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLatencyKinds } from "../../emulators/farm/load-report.ts";
import { loadHtmlReport } from "../../reports/load-html.ts";
import { sampleLoadReport } from "../../reports/testing/sample-load-report.ts";
import { launchChromium, openReport } from "./report-page.ts";

/**
 * The load report in a real browser: it loads with no console error and no network request, every
 * `canvas[data-plot]` carries a Chart.js chart with data elements and pixels, and the latency table has a row per kind.
 */
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
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

    const { page, problems, plots, drawn, plotsDrawn } = await openReport(browser, file, "canvas[data-plot]");
    const facts = await page.evaluate(() => ({
      latencyRows: Array.from(document.querySelectorAll("#latency-table tbody tr")).map((r) =>
        r.getAttribute("data-kind"),
      ),
      lostWorkers: document.querySelectorAll("#workers-table tr.lost").length,
    }));
    await page.close();

    expect(problems).toEqual([]);
    const measured = loadLatencyKinds.filter((kind) => report.latency[kind].count > 0);
    expect(plots).toEqual([...measured.map((kind) => `latency-${kind}`), "online"]);
    expect(drawn).toEqual(plots);
    expect(plotsDrawn).toBe(plots.length);
    expect(facts.latencyRows).toEqual([...loadLatencyKinds]);
    expect(facts.lostWorkers).toBe(1);
  });
});
