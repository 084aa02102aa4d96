import { cpus, loadavg, platform as osPlatform, release } from "node:os";
import type { LiveFuzzReport } from "../emulators/platform/testing/live-fuzz.ts";
import { type PushFuzzReport, pushFuzzHeld } from "../emulators/push-receiver/testing/push-fuzz.ts";
import { type Decoder, type DecoderRun, type DecoderStats, decoders } from "./fuzz-decoders.ts";
import { pushFuzzLines } from "./fuzz-push-report.ts";
import { machineDescription } from "./made-by.ts";

/** The `Fuzzing` section of docs/benchmarks.md, from the figures of `npm run fuzz` (bench/fuzz.ts). */

export interface FuzzFigures {
  seed: number;
  /** Load average when the run started. */
  loadAtStart: number;
  decoderRun: DecoderRun & { workers: number };
  liveReports: LiveFuzzReport[];
  liveSent: number;
  liveWallS: number;
  /** The push receiver's run (step 3), when it ran. */
  pushReport?: PushFuzzReport;
}

/** Crashes and lost sessions: the run passes when there are none. */
export function fuzzVerdict(
  decoderRun: DecoderRun,
  liveReports: LiveFuzzReport[],
  pushReport?: PushFuzzReport,
) {
  const decoderCrashes = Object.values(decoderRun.stats).reduce((a, s) => a + s.crashes + s.undocumented, 0);
  const liveCrashes = liveReports.flatMap((r) => r.crashes);
  const legitKept = liveReports.length > 0 && liveReports.every((r) => r.legit.every((d) => d.keptSession));
  // Chapter 7's server: a 5xx, an answer without a code, a certificate-less connection answered, a lost token.
  const cNotifyFailures = liveReports.flatMap((r) => r.cNotify.failures);
  // The lock API: a 5xx, code 500 (a handler threw), an answer without the envelope, the legitimate token shown.
  const lockApiFailures = liveReports.flatMap((r) => r.lockApi.failures);
  // The open API: the same, with its own envelope.
  const aqaraFailures = liveReports.flatMap((r) => r.aqara.failures);
  // The push receiver: it stopped, a 5xx, HTTP 200 outside the format, a hostile request taken for a push, a lost push.
  const pushHeld = pushReport === undefined || pushFuzzHeld(pushReport);
  return {
    decoderCrashes,
    liveCrashes,
    legitKept,
    cNotifyFailures,
    lockApiFailures,
    aqaraFailures,
    pushHeld,
    passed:
      pushHeld &&
      decoderCrashes === 0 &&
      liveCrashes.length === 0 &&
      legitKept &&
      cNotifyFailures.length === 0 &&
      lockApiFailures.length === 0 &&
      aqaraFailures.length === 0,
  };
}

/**
 * The machine's load averages at the run's start and end, beside its cores: over them, processes waited for a core
 * (the fuzz's own among them) and the rates are lower for it; the words say so only then.
 */
export function loadAverages(start: number, end: number, cores: number): string {
  const over = Math.max(start, end) > cores;
  return `load average ${start.toFixed(1)} at the start and ${end.toFixed(1)} at the end, on ${cores} cores${over ? " (above the core count: processes waited for a core, the fuzz's own among them, and every rate below is lower for it)" : ""}.`;
}

/** The section's lines: how the run was made, the decoders' table, the live run's figures, crashes and lost sessions. */
export function fuzzingSection(figures: FuzzFigures): string[] {
  const { seed, loadAtStart, decoderRun, liveReports, liveSent, liveWallS } = figures;
  const stats = new Map(Object.entries(decoderRun.stats) as Array<[Decoder, DecoderStats]>);
  const generated = decoderRun.generated;
  const generationMs = decoderRun.generationMs;
  const decoderWallS = decoderRun.wallMs / 1000;
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const { liveCrashes, legitKept, cNotifyFailures, lockApiFailures, aqaraFailures } = fuzzVerdict(
    decoderRun,
    liveReports,
  );
  const last = liveReports[liveReports.length - 1];
  const sum = (pick: (r: LiveFuzzReport) => number) => liveReports.reduce((a, r) => a + pick(r), 0);
  const surfaceNames = ["login", "tcp", "udp", "session", "http", "c-notify", "lock-api", "aqara"] as const;
  const surfaceLabels: Record<(typeof surfaceNames)[number], string> = {
    login: "the login port (TCP, a connection each)",
    tcp: "the TCP connection port (a connection each)",
    udp: "the UDP connection port (datagrams)",
    session: "a live session's own connection (spare device)",
    http: "the HTTP API",
    "c-notify": "the C11-C18 server (HTTPS, mutual TLS; raw bytes and certificate-less handshakes too)",
    "lock-api":
      "the smart-lock open API (unsigned, garbage-signed, stale and validly signed by a second client)",
    aqara:
      "the Aqara-style open API (unsigned, garbage headers, stale, reused nonces and validly signed by a second app)",
  };
  const lockCodes = [
    ...liveReports
      .flatMap((r) => Object.entries(r.lockApi.byCode))
      .reduce((m, [c, k]) => m.set(c, (m.get(c) ?? 0) + k), new Map<string, number>()),
  ].sort();
  const aqaraCodes = [
    ...liveReports
      .flatMap((r) => Object.entries(r.aqara.byCode))
      .reduce((m, [c, k]) => m.set(c, (m.get(c) ?? 0) + k), new Map<string, number>()),
  ].sort();
  const dropped = Object.entries(last?.metrics.hilfarm_platform_frames_dropped_total ?? {}).sort(
    (a, b) => b[1] - a[1],
  );
  const statuses = new Map<string, number>();
  for (const r of liveReports)
    for (const [s, c] of Object.entries(r.api.byStatus)) statuses.set(s, (statuses.get(s) ?? 0) + c);
  const heartbeats = liveReports.flatMap((r) => r.legit.map((d) => d.heartbeats));

  return [
    `Made by \`npm run fuzz\` (bench/fuzz.ts), seed ${seed}: hostile frames from harness/protocol/mc/testing/hostile/`,
    "(deep nesting in the envelope and in bodies sealed with a known PIN or session key, huge numbers and strings, unicode",
    "and invalid UTF-8, prototype keys, every field with every wrong type, valid envelopes around invalid bodies,",
    "truncations, cts-base64 variants, over-long frames, bare CR/LF, garbage, replays of captured frames).",
    "",
    `Machine: ${osPlatform()} ${release()}, ${machineDescription()}; ${loadAverages(loadAtStart, loadavg()[0] ?? 0, cpus().length)}`,
    "",
    `**Decoders**, no sockets, ${decoderRun.workers} processes (one per core): ${n(generated)} frames generated (${n((generated * 1000) / Math.max(1, generationMs))}/s per process), each fed to every decoder; ${decoderWallS.toFixed(0)} s wall. frames/s below is per process, decoding time only.`,
    "",
    "| decoder | frames | frames/s | crashes | undocumented codes |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...decoders.map((d) => {
      const s = stats.get(d) as DecoderStats;
      return `| \`${d}\` | ${n(s.frames)} | ${n((s.frames * 1000) / Math.max(1, s.ms))} | ${s.crashes} | ${s.undocumented} |`;
    }),
    "",
    `Error codes seen by decodeFrameLine: ${Object.entries(stats.get("decodeFrameLine")?.codes ?? {})
      .sort((a, b) => b[1] - a[1])
      .map(([c, k]) => `${c} ${n(k)}`)
      .join(", ")}.`,
    ...[...stats]
      .filter(([, s]) => s.firstCrash !== undefined)
      .map(([d, s]) => `First crash of \`${d}\`: ${s.firstCrash}`),
    "",
    `**Live**: \`hilfarm platform\` as a child process (free ports, --no-mqtt, defaults otherwise) on loopback; one TCP and one UDP device logged in and heartbeating throughout (checked every 2,000 frames, a heartbeat retransmitted up to 3 times), a legitimate third party reporting its device with its C11 token, a legitimate lock-API client reading its temporary password with its token, and a legitimate Aqara-style open-API app asking \`query.device.info\` about a device with its UI-SDK token; hostile traffic from 127.0.0.2 where the loopback takes it. ${liveWallS.toFixed(0)} s wall.`,
    "",
    "| figure | value |",
    "| --- | ---: |",
    `| hostile frames and requests sent | ${n(liveSent)} |`,
    ...surfaceNames.map((s) => `| ... to ${surfaceLabels[s]} | ${n(sum((r) => r.bySurface[s] ?? 0))} |`),
    `| frames per second | ${n(
      (liveSent * 1000) /
        Math.max(
          1,
          sum((r) => r.wallMs),
        ),
    )} |`,
    `| crashes (platform process stopped) | ${liveCrashes.length} |`,
    `| legitimate devices kept their sessions throughout | ${legitKept ? "yes" : "no"} |`,
    `| their heartbeats answered / sent | ${n(heartbeats.reduce((a, h) => a + h.answered, 0))} / ${n(heartbeats.reduce((a, h) => a + h.sent, 0))} |`,
    `| API checks failed | ${sum((r) => r.api.failures.length)} |`,
    `| HTTP 500 answers | ${sum((r) => r.api.serverErrors.length)} |`,
    `| C11-C18: answers by code / certificate-less handshakes refused / failures | ${[
      ...liveReports
        .flatMap((r) => Object.entries(r.cNotify.byCode))
        .reduce((m, [c, k]) => m.set(c, (m.get(c) ?? 0) + k), new Map<string, number>()),
    ]
      .sort()
      .map(([c, k]) => `${c}: ${n(k)}`)
      .join(", ")} / ${n(sum((r) => r.cNotify.handshakesRefused))} / ${cNotifyFailures.length} |`,
    `| lock API: answers by code / failures | ${lockCodes.map(([c, k]) => `${c}: ${n(k)}`).join(", ")} / ${lockApiFailures.length} |`,
    `| open API: answers by code / failures | ${aqaraCodes.map(([c, k]) => `${c}: ${n(k)}`).join(", ")} / ${aqaraFailures.length} |`,
    `| HTTP answers by status | ${[...statuses]
      .sort()
      .map(([s, c]) => `${s}: ${n(c)}`)
      .join(", ")} |`,
    `| platform RSS at start / max / end (MiB) | ${last?.rss.startMb ?? "?"} / ${last?.rss.maxMb ?? "?"} / ${last?.rss.endMb ?? "?"} |`,
    `| spare device sessions (it is dropped by over-long frames, then logs in again) | ${n(sum((r) => r.spareSessions))} |`,
    "",
    `Frames dropped by the platform, by reason (\`hilfarm_platform_frames_dropped_total\`): ${dropped.map(([r, c]) => `${r} ${n(c)}`).join(", ") || "none"}.`,
    `Handler errors (\`hilfarm_platform_handler_errors_total\`): ${
      Object.entries(last?.metrics.hilfarm_platform_handler_errors_total ?? {})
        .map(([s, c]) => `${s} ${n(c)}`)
        .join(", ") || "none"
    }.`,
    ...liveCrashes.map(
      (c, i) =>
        `Crash ${i + 1}: ${c.detail.split("\n").slice(0, 3).join(" ").slice(0, 300)}; last frames sent: ${c.suspects
          .slice(-4)
          .map((s) => `${s.surface}/${s.kind}`)
          .join(", ")}.`,
    ),
    ...liveReports
      .flatMap((r) => r.legit)
      .filter((d) => !d.keptSession)
      .map((d) => `Session lost: ${d.transport} device ${d.deviceId}: ${d.lost.join("; ")}.`),
    ...lockApiFailures.slice(0, 10).map((f) => `Lock API failure: ${f}.`),
    ...aqaraFailures.slice(0, 10).map((f) => `Open API failure: ${f}.`),
    ...(figures.pushReport === undefined ? [] : ["", ...pushFuzzLines(figures.pushReport)]),
  ];
}
