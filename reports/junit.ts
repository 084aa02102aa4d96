import { hostname } from "node:os";
import type { EvidenceFrame } from "../harness/evidence/evidence-frame.ts";
import { type CaseReport, type ComparedFrame, type RunReport, totals } from "./model.ts";
import { xmlText } from "./xml.ts";

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Which way a frame went on the wire, whoever recorded it. */
export function frameDirection(frame: EvidenceFrame): "device -> platform" | "platform -> device" {
  const fromDevice = frame.observer === "platform" ? frame.direction === "in" : frame.direction === "out";
  return fromDevice ? "device -> platform" : "platform -> device";
}

/** A frame as one line of a failure's text: time (s, relative to `origin`), direction, code, sequence, body. */
export function frameLine(frame: EvidenceFrame, origin: number): string {
  const t = ((frame.at - origin) / 1000).toFixed(3).padStart(9);
  return `${t} s  ${frameDirection(frame)}  ${frame.code} ${frame.name}  seq ${frame.sequence ?? "-"}  ${frame.note ?? JSON.stringify(frame.body)}`;
}

function testcase(c: CaseReport, classname: string): string {
  const name = c.clause === "" ? c.title : `${c.clause} ${c.title}`;
  const open = `    <testcase name="${xmlText(name)}" classname="${xmlText(classname)}" time="${seconds(c.wallMs)}"`;
  if (c.status === "pass") return `${open}/>`;
  if (c.status === "not-applicable")
    return `${open}>\n      <skipped message="${xmlText(`not applicable: ${c.detail}`)}"/>\n    </testcase>`;
  if (c.status === "not-run")
    return `${open}>\n      <skipped message="${xmlText(c.detail)}"/>\n    </testcase>`;
  const timeline =
    c.timeline === undefined || c.timeline.frames.length === 0
      ? ""
      : `\n\nFrames before the failure (seconds relative to it):\n${c.timeline.frames
          .map((f) => frameLine(f, c.timeline?.failedAt ?? 0))
          .join("\n")}`;
  return `${open}>\n      <failure message="${xmlText(c.detail)}" type="ClauseFailure">${xmlText(
    `${c.detail}${timeline}${comparisonText(c)}`,
  )}</failure>\n    </testcase>`;
}

/** A replayed exchange's frames as text: the recorded ones, then the replayed ones (time from each session's start). */
function comparisonText(c: CaseReport): string {
  if (c.comparison === undefined) return "";
  const line = (f: ComparedFrame) =>
    `${seconds(f.atMs).padStart(9)} s  ${f.code} ${f.name}  ${JSON.stringify(f.body)}`;
  const block = (frames: ComparedFrame[]) => (frames.length === 0 ? "  (none)" : frames.map(line).join("\n"));
  return `\n\nRecorded:\n${block(c.comparison.recorded)}\nReplayed:\n${block(c.comparison.replayed)}`;
}

/**
 * JUnit XML as Jenkins, GitLab and GitHub read it: a suite per clause group, a test per clause, the failure message
 * saying what was expected and what was seen; not-applicable clauses are `skipped` with the reason.
 */
export function junitXml(report: RunReport): string {
  const all = totals(report);
  const host = xmlText(hostname());
  const suites = report.suites.map((suite, id) => {
    const failures = suite.cases.filter((c) => c.status === "fail").length;
    const skipped = suite.cases.filter((c) => c.status === "not-applicable" || c.status === "not-run").length;
    const time = suite.cases.reduce((sum, c) => sum + c.wallMs, 0);
    const classname =
      suite.file === undefined ? suite.name : suite.file.replace(/\.test\.ts$/, "").replace(/\//g, ".");
    const properties = [
      ["target", report.target],
      ["seed", report.seed ?? ""],
      ["harness", `hilfarm ${report.harness.version}`],
    ]
      .map(([k, v]) => `      <property name="${xmlText(k ?? "")}" value="${xmlText(v ?? "")}"/>`)
      .join("\n");
    return [
      `  <testsuite id="${id}" name="${xmlText(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${report.startedAt.slice(0, 19)}" hostname="${host}">`,
      `    <properties>\n${properties}\n    </properties>`,
      ...suite.cases.map((c) => testcase(c, classname)),
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlText(report.title)}" tests="${all.passed + all.failed + all.notApplicable + all.notRun}" failures="${all.failed}" errors="0" time="${seconds(report.wallMs)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
