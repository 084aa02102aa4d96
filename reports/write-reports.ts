import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { htmlReport } from "./html.ts";
import { junitXml } from "./junit.ts";
import type { RunReport } from "./model.ts";

export interface WrittenReports {
  dir: string;
  junit: string;
  json: string;
  html: string;
}

/** Writes `junit.xml`, `report.json` and `report.html` into `dir`. */
export async function writeReports(dir: string, report: RunReport): Promise<WrittenReports> {
  await mkdir(dir, { recursive: true });
  const paths = {
    dir,
    junit: join(dir, "junit.xml"),
    json: join(dir, "report.json"),
    html: join(dir, "report.html"),
  };
  await writeFile(paths.junit, junitXml(report));
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.html, htmlReport(report));
  return paths;
}

/** `reports/out/<timestamp>`, the default report directory. */
export function defaultReportDir(now: Date = new Date()): string {
  return join("reports", "out", now.toISOString().replace(/[:.]/g, "-"));
}
