import type { HostileKind } from "../../../harness/protocol/mc/testing/hostile/index.ts";

/** What a live fuzz run reports (live-fuzz.ts): counts by surface and kind, the devices' fate, the API, memory. */

export type FuzzSurface = "login" | "tcp" | "udp" | "session" | "http" | "c-notify" | "lock-api" | "aqara";
export const fuzzSurfaces: readonly FuzzSurface[] = [
  "login",
  "tcp",
  "udp",
  "session",
  "http",
  "c-notify",
  "lock-api",
  "aqara",
];

export interface LegitOutcome {
  deviceId: string;
  /**
   * `c-notify`: a device behind the legitimate third party, kept by its C11 token; its "heartbeats" are C16 reports.
   * `lock-api`: the legitimate lock-API client's device; its "heartbeats" read its temporary password with its token.
   * `aqara`: the device the legitimate open-API app asks about; its "heartbeats" are `query.device.info` with its token.
   */
  transport: "tcp" | "udp" | "c-notify" | "lock-api" | "aqara";
  keptSession: boolean;
  /** Why the session is taken as lost: a heartbeat unanswered, the connection closed, a session-end event. */
  lost: string[];
  heartbeats: { sent: number; answered: number; retransmitted: number };
}

/** What the C11-C18 server (surface `c-notify`, 7.3.1) answered the fuzz. */
export interface CNotifyFigures {
  /** HTTPS requests with the test PKI's client certificate, by HTTP status. */
  byStatus: Record<string, number>;
  /** Their answers' `code` (7.3.1.9), where the body was a JSON object with one. */
  byCode: Record<string, number>;
  /** Connections without a client certificate that ended in the handshake, as they must (7.1.4). */
  handshakesRefused: number;
  /** Raw, non-TLS connections: closed by the server, or still open at the deadline. */
  raw: { closed: number; timedOut: number };
  /** Requests cut before an answer (a 413 sent while the body was still being written), or not answered in time. */
  noAnswer: number;
  /** What must not happen: a 500, an answer that is not JSON, a connection without a certificate answered. */
  failures: string[];
}

/** What the smart-lock open API (surface `lock-api`) answered the fuzz. */
export interface LockApiFigures {
  /** By HTTP status (the surface answers 200; Node's own parser may refuse a request first). */
  byStatus: Record<string, number>;
  /** The envelopes' `code`, or `success`. */
  byCode: Record<string, number>;
  /** Requests the fuzz's own HTTP client would not send (header values it refuses). */
  notSent: number;
  noAnswer: number;
  /** What must not happen: HTTP 5xx, code 500 (a handler threw), no envelope, the legitimate token shown. */
  failures: string[];
}

/** What the Aqara-style open API (surface `aqara`) answered the fuzz. */
export interface AqaraFigures {
  /** By HTTP status (the surface answers 200; Node's own parser may refuse a request first). */
  byStatus: Record<string, number>;
  /** The envelopes' `code`. */
  byCode: Record<string, number>;
  /** Requests the fuzz's own HTTP client would not send (header values it refuses). */
  notSent: number;
  noAnswer: number;
  /** What must not happen: HTTP 5xx, code 500 (a handler threw), no envelope, the legitimate token shown. */
  failures: string[];
}

/** One of the last frames sent, shown when the platform stops. */
export interface Suspect {
  surface: FuzzSurface;
  kind: string;
  bytes: string;
}

export interface LiveFuzzReport {
  target: "in-process" | "child";
  seed: number;
  sent: number;
  bySurface: Record<FuzzSurface, number>;
  byKind: Partial<Record<HostileKind | "http" | "c-notify" | "lock-api" | "aqara", number>>;
  /** Frames too long for a datagram, not sent over UDP. */
  skipped: number;
  wallMs: number;
  framesPerSecond: number;
  /** The platform stopped (0 or 1 per run: a stopped platform ends the run), with the last frames sent before. */
  crashes: Array<{ detail: string; suspects: Suspect[] }>;
  legit: LegitOutcome[];
  /** TCP connections the platform answered (a replayed 1002 or 1004 gets one), by surface; datagrams answered. */
  answered: Partial<Record<FuzzSurface, number>>;
  /** Connections not closed by the platform within the deadline (a truncated frame waits for its CRLF). */
  timedOut: number;
  /** Connections refused, and spare sessions that could not be opened again. */
  connectErrors: number;
  spareSessions: number;
  api: {
    checks: number;
    failures: string[];
    byStatus: Record<string, number>;
    /** 500 answers: a handler threw. */
    serverErrors: string[];
    noAnswer: number;
  };
  rss: { startMb: number | undefined; maxMb: number | undefined; endMb: number | undefined };
  metrics: Record<string, Record<string, number>>;
  cNotify: CNotifyFigures;
  lockApi: LockApiFigures;
  aqara: AqaraFigures;
}

/** A report with nothing counted yet. */
export function emptyReport(target: LiveFuzzReport["target"], seed: number): LiveFuzzReport {
  return {
    target,
    seed,
    sent: 0,
    bySurface: { login: 0, tcp: 0, udp: 0, session: 0, http: 0, "c-notify": 0, "lock-api": 0, aqara: 0 },
    byKind: {},
    skipped: 0,
    wallMs: 0,
    framesPerSecond: 0,
    crashes: [],
    legit: [],
    answered: {},
    timedOut: 0,
    connectErrors: 0,
    spareSessions: 0,
    api: { checks: 0, failures: [], byStatus: {}, serverErrors: [], noAnswer: 0 },
    rss: { startMb: undefined, maxMb: undefined, endMb: undefined },
    metrics: {},
    cNotify: {
      byStatus: {},
      byCode: {},
      handshakesRefused: 0,
      raw: { closed: 0, timedOut: 0 },
      noAnswer: 0,
      failures: [],
    },
    lockApi: { byStatus: {}, byCode: {}, notSent: 0, noAnswer: 0, failures: [] },
    aqara: { byStatus: {}, byCode: {}, notSent: 0, noAnswer: 0, failures: [] },
  };
}

/** Bytes to MiB, rounded. */
export const mb = (bytes: number | undefined) =>
  bytes === undefined ? undefined : Math.round(bytes / 2 ** 20);

/** Keeps the last 32 frames sent (their first 60 bytes, printable), to name suspects if the platform stops. */
export function remember(recent: Suspect[], surface: FuzzSurface, kind: string, bytes: Buffer): void {
  const shown = bytes
    .subarray(0, 60)
    .toString("latin1")
    .replace(/[^\x20-\x7e]/g, ".");
  recent.push({ surface, kind, bytes: `${shown}${bytes.length > 60 ? `... (${bytes.length} bytes)` : ""}` });
  if (recent.length > 32) recent.shift();
}

/** Parses the Prometheus text of /metrics into { metric: { labels: value } } for the families the report shows. */
export function parseMetrics(text: string): Record<string, Record<string, number>> {
  const wanted = [
    "hilfarm_platform_frames_dropped_total",
    "hilfarm_platform_handler_errors_total",
    "hilfarm_platform_connections_refused_total",
    "hilfarm_platform_sessions_ended_total",
    "hilfarm_platform_logins_total",
    "hilfarm_platform_connects_total",
    "hilfarm_platform_online_devices",
  ];
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || !wanted.includes(match[1] as string)) continue;
    const name = match[1] as string;
    const family = out[name] ?? {};
    out[name] = family;
    const labels = (match[2] ?? "").replace(/[a-z_]+="([^"]*)"/g, "$1") || "total";
    family[labels] = Number(match[3]);
  }
  return out;
}
