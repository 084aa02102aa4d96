import type { LatencyKind } from "../harness/evidence/latency.ts";
import type { Timeline } from "../harness/evidence/recorder.ts";

/** `not-run`: the run stopped before reaching it (a device link gone for good); the reason says where. */
export type CaseStatus = "pass" | "fail" | "not-applicable" | "not-run";

/** One clause (or scenario) checked. */
export interface CaseReport {
  /** The spec clause the case checks ("5.4.2.3"), or "" when its name gives none. */
  clause: string;
  title: string;
  status: CaseStatus;
  /** For a failure: what was expected and what was seen; for not-applicable: why. */
  detail: string;
  wallMs: number;
  /** Time on the scenario's clock (simulated on a virtual clock). */
  targetMs: number;
  /** For a failure: the frames around the moment it was seen. */
  timeline?: Timeline;
  /** For a replayed exchange: the frames as recorded and as replayed, side by side. */
  comparison?: FrameComparison;
}

/** A frame shown beside its counterpart: code and name, ms from the start of its session, body (secrets masked). */
export interface ComparedFrame {
  code: number;
  name: string;
  atMs: number;
  body: Record<string, unknown>;
}

/** What `hilfarm replay` compares: the recorded frames of an exchange, the replayed ones, and every difference. */
export interface FrameComparison {
  recorded: ComparedFrame[];
  replayed: ComparedFrame[];
  differences: string[];
}

/** A clause group (a describe block, or a conformance suite). */
export interface SuiteReport {
  name: string;
  /** The scenario file it came from, relative to the repository. */
  file?: string;
  cases: CaseReport[];
}

/** The device a certification is about. */
export interface CertifiedDevice {
  deviceId: string;
  model?: string;
  firmware?: string;
  transport?: string;
}

/** The emulated fleet that loaded the platform while a certification ran: its figures over the same run. */
export interface BackgroundLoad {
  /** The fleet file. */
  fleet: string;
  devices: number;
  peakOnline: number;
  onlineAtEnd: number;
  lostDevices: number;
  rampPerSecond: number;
  churnPerSecond: number;
  controlsPerSecond: number;
  /** How long the fleet ran, s. */
  seconds: number;
  /** Round trips the fleet's devices (login, heartbeat) and the controls' caller measured, ms. */
  latency: Record<"login" | "heartbeat" | "control", { count: number; p50: number; p99: number }>;
  errors: Record<string, number>;
  /** The fleet's own load report (HTML; report.json beside it). */
  report: string;
}

export interface RunReport {
  kind: "run" | "certification" | "replay";
  title: string;
  harness: { name: "hilfarm"; version: string; node: string; os: string };
  command: string;
  startedAt: string;
  finishedAt: string;
  wallMs: number;
  seed?: string;
  target: string;
  device?: CertifiedDevice;
  suites: SuiteReport[];
  /** Round trips in ms, every scenario's samples together. */
  latencies: Record<LatencyKind, number[]>;
  /** Devices online over time, per scenario that had any: [ms since its first session, count]. */
  online: Array<{ label: string; points: Array<[number, number]> }>;
  /** Where the evidence files were written, if they were. */
  evidence?: string;
  /** A certification run beside an emulated fleet (`--background-fleet`): the fleet's figures. */
  background?: BackgroundLoad;
}

export function totals(report: Pick<RunReport, "suites">): {
  passed: number;
  failed: number;
  notApplicable: number;
  notRun: number;
} {
  const cases = report.suites.flatMap((s) => s.cases);
  const count = (status: CaseStatus) => cases.filter((c) => c.status === status).length;
  return {
    passed: count("pass"),
    failed: count("fail"),
    notApplicable: count("not-applicable"),
    notRun: count("not-run"),
  };
}

const CLAUSE = /^(L?\d+(?:\.\d+)+(?:-\d+)?(?: \(\d+\))?(?: item \d+)?)[:\s]\s*(.*)$/s;

/** "5.4.2.3 offline at ..." -> clause "5.4.2.3", title "offline at ..." (and "L2.10 ..."); a name without a clause keeps it all. */
export function splitClause(name: string): { clause: string; title: string } {
  const match = CLAUSE.exec(name);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { clause: match[1], title: match[2] }
    : { clause: "", title: name };
}

export const emptyLatencies = (): Record<LatencyKind, number[]> => ({
  login: [],
  connect: [],
  heartbeat: [],
  report: [],
  control: [],
  query: [],
});
