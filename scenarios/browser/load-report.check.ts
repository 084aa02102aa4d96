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
    // A mixed fleet: two real devices, shown first and marked.
    const report = {
      ...sampleLoadReport(),
      real: [
        {
          deviceId: "0000111122223333aaaa0101",
          real: true as const,
          model: "LOCK-01",
          attach: "network: logs in to 127.0.0.1:8700",
          onlineAtEnd: true,
          onlineShare: 0.9,
          samples: 10,
        },
        {
          deviceId: "0000111122223333aaaa0102",
          real: true as const,
          attach: "serial:///dev/ttyUSB0?baud=115200",
          onlineAtEnd: false,
          onlineShare: 0.2,
          samples: 10,
        },
      ],
    };
    await writeFile(file, loadHtmlReport(report));

    const { page, problems, plots, drawn, plotsDrawn } = await openReport(browser, file, "canvas[data-plot]");
    const facts = await page.evaluate(() => ({
      latencyRows: Array.from(document.querySelectorAll("#latency-table tbody tr")).map((r) =>
        r.getAttribute("data-kind"),
      ),
      lostWorkers: document.querySelectorAll("#workers-table tr.lost").length,
      realRows: Array.from(document.querySelectorAll("#real-table tbody tr.real")).map(
        (r) => r.textContent ?? "",
      ),
      realFirst:
        (document
          .querySelector("#real-devices")
          ?.compareDocumentPosition(document.querySelector("#summary") as Node) ?? 0) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    }));
    await page.close();

    expect(problems).toEqual([]);
    const measured = loadLatencyKinds.filter((kind) => report.latency[kind].count > 0);
    expect(plots).toEqual([...measured.map((kind) => `latency-${kind}`), "online"]);
    expect(drawn).toEqual(plots);
    expect(plotsDrawn).toBe(plots.length);
    expect(facts.latencyRows).toEqual([...loadLatencyKinds]);
    expect(facts.lostWorkers).toBe(1);
    expect(facts.realRows).toEqual([
      expect.stringMatching(
        /^0000111122223333aaaa0101 \(real\)LOCK-01network: .*online at the end; online in 90 % of 10 samples$/,
      ),
      expect.stringMatching(
        /^0000111122223333aaaa0102 \(real\)serial:.*OFFLINE at the end; online in 20 % of 10 samples$/,
      ),
    ]);
    expect(facts.realFirst).not.toBe(0);
  });
});
