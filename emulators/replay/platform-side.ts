import type { Clock } from "../../harness/clock/clock.ts";
import type { PlatformFrameEvent } from "../../harness/evidence/platform-events.ts";
import { packetType, responseCodeFor } from "../../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { SEQUENCE_MODULUS, sequenceAfter } from "../../harness/protocol/mc/sequence.ts";
import { mcTimingDefaults } from "../../harness/protocol/mc/timing.ts";
import { type Exchange, exchangesOf } from "../../harness/replay/exchanges.ts";
import type { Recording } from "../../harness/replay/recording.ts";
import type { ReplayedExchange, ReplayedFrame, ReplayOutcome } from "../../harness/replay/verdict.ts";
import type { Platform } from "../platform/platform.ts";
import type { DeviceSession, PlatformRequestCode } from "../platform/session.ts";
import { bodyToSend, clockReaches, withinMs } from "./replayed.ts";

/** Requests of the device's own that depend on its timers, not on its behaviour: not compared one by one. */
const TIMER_DRIVEN = new Set([1000, 1002, 1004]);

export interface PlatformSideReplayOptions {
  recording: Recording;
  clock: Clock;
  /** hilfarm's platform, which the device under test logs in to: it keeps the session, its keys and resends. */
  platform: Platform;
  /** How long to wait for the device's session before giving up. */
  sessionWaitMs: number;
  /** How long a device's report may be late before it counts as missing. Default 10 s (5.2). */
  responseTimeoutMs?: number;
}

/**
 * Plays the platform's side of a recorded session against a device: once the device has a session with hilfarm's
 * platform, sends each recorded platform request (controls, queries, key orders, ...) at its recorded offset from the
 * connect, through the session (new sequence, resends after 10 s as 5.2 says), and takes the device's answers. The
 * device's own requests (reports, events, alarms; heartbeats and logins aside) are matched with the recorded ones in
 * order, code by code.
 */
export async function replayPlatformSide(options: PlatformSideReplayOptions): Promise<ReplayOutcome> {
  const { recording, clock, platform } = options;
  const deviceId = recording.deviceId;
  const responseTimeoutMs = options.responseTimeoutMs ?? mcTimingDefaults.responseTimeoutMs;
  const exchanges = exchangesOf(recording.frames);
  const results = new Map<Exchange, ReplayedExchange>(exchanges.map((e) => [e, { exchange: e }]));
  const deviceRequests: ReplayedFrame[] = [];
  // A device's resend of its own request (same code and sequence, 5.2) is not a second report.
  const seen = new Set<string>();
  // The sequence of the platform's last request on the wire: what a retransmission repeats.
  const sent: LastSent = { sequence: undefined };
  const onFrame = (f: { deviceId: string; direction: "in" | "out"; message: McMessage; at: number }) => {
    if (f.deviceId !== deviceId) return;
    if (f.direction === "out") {
      if (packetType(f.message.code).role === "request")
        sent.sequence = (f.message.body as { sequence?: unknown }).sequence;
      return;
    }
    if (TIMER_DRIVEN.has(f.message.code)) return;
    const key = `${f.message.code}:${String((f.message.body as { sequence?: unknown }).sequence)}`;
    if (seen.has(key)) return;
    seen.add(key);
    const type = packetType(f.message.code);
    if (type.sender === "device" && type.role === "request")
      deviceRequests.push({
        code: f.message.code,
        body: f.message.body as Record<string, unknown>,
        at: f.at,
      });
  };
  platform.events.on("frame", onFrame);
  try {
    const connectedAt = await sessionStart(platform, deviceId, clock, options.sessionWaitMs);
    const recordedConnect =
      exchanges.find((e) => e.request.code === 1004)?.request.at ?? recording.frames[0]?.at ?? 0;
    const startedAt = connectedAt ?? clock.now();
    if (connectedAt === undefined)
      for (const result of results.values())
        result.note = `not played: device ${deviceId} did not connect within ${options.sessionWaitMs} ms`;
    else await playRequests(exchanges, results, { ...options, startedAt, recordedConnect, sent });

    // The device's last reports: until the recording's end plus a response timeout, counted from the later of the
    // recorded schedule and the last request played (one answered late pushes every later one back).
    if (connectedAt !== undefined) {
      const lastRecorded = recording.frames.at(-1)?.at ?? recordedConnect;
      const lastPlayed = Math.max(0, ...[...results.values()].map((r) => r.answer?.at ?? r.request?.at ?? 0));
      await clockReaches(
        clock,
        Math.max(startedAt + (lastRecorded - recordedConnect), lastPlayed) + responseTimeoutMs,
      );
    }
    matchDeviceRequests(exchanges, results, deviceRequests, recordedConnect);
    return {
      // Heartbeats, logins and connects follow the device's timers: the session itself is what they check.
      exchanges: [...results.values()].filter((r) => !TIMER_DRIVEN.has(r.exchange.request.code)),
      startedAt,
      endedAt: clock.now(),
      recordedStart: recordedConnect,
      unexpected: deviceRequests,
    };
  } finally {
    platform.events.off("frame", onFrame);
  }
}

async function playRequests(
  exchanges: readonly Exchange[],
  results: Map<Exchange, ReplayedExchange>,
  options: PlatformSideReplayOptions & { startedAt: number; recordedConnect: number; sent: LastSent },
): Promise<void> {
  const { clock, platform, recording } = options;
  // The platform's recorded sequence so far in this session: a retransmission or a skip is played as recorded.
  let previous: { code: number; sequence: number } | undefined;
  for (const exchange of exchanges) {
    const recorded = exchange.request;
    // A new session starts a new platform counter (5.2.2 item 5).
    if (recorded.code === 1004) previous = undefined;
    if (recorded.from !== "platform") continue;
    const result = results.get(exchange) as ReplayedExchange;
    await clockReaches(clock, options.startedAt + (recorded.at - options.recordedConnect));
    const session = platform.sessionOf(recording.deviceId);
    if (session === undefined) {
      result.note = "not sent: the device has no session";
      continue;
    }
    const prepared = bodyToSend(recorded.body, clock.now());
    if (prepared.masked !== undefined) {
      result.note = `not sent: its ${prepared.masked} is masked in the recording`;
      continue;
    }
    const { sequence: _, time: __, ...body } = prepared.body;
    const sequence = recorded.sequence === undefined ? undefined : Number(recorded.sequence);
    const sentAt = clock.now();
    result.request = { code: recorded.code, body, at: sentAt };
    if (previous !== undefined && sequence === previous.sequence && recorded.code === previous.code) {
      // Sent again after its answer (5.2): the device answers it again with the same sequence.
      const answer = await retransmitted(options, session, recorded.code, options.sent.sequence);
      if (answer === undefined) result.note = `no answer within ${responseTimeoutOf(options)} ms`;
      else result.answer = answer;
      continue;
    }
    if (previous !== undefined && sequence !== undefined && sequence !== sequenceAfter(previous.sequence))
      // The recording skipped sequences here (a device must take that as an error): so does the replay.
      session.skipSequences((sequence - previous.sequence - 1 + SEQUENCE_MODULUS) % SEQUENCE_MODULUS);
    if (sequence !== undefined) previous = { code: recorded.code, sequence };
    try {
      const answer = await session.request(recorded.code as PlatformRequestCode, body as never);
      result.answer = {
        code: responseCodeFor(recorded.code),
        body: answer as Record<string, unknown>,
        at: clock.now(),
      };
    } catch (error) {
      result.note = `no answer: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

function responseTimeoutOf(options: PlatformSideReplayOptions): number {
  return options.responseTimeoutMs ?? mcTimingDefaults.responseTimeoutMs;
}

/** The session's last request sent again; the device's answer to it (the paired code, that sequence), if it comes. */
function retransmitted(
  options: PlatformSideReplayOptions,
  session: DeviceSession,
  code: number,
  sequence: unknown,
): Promise<ReplayedFrame | undefined> {
  const { platform, clock, recording } = options;
  const pair = responseCodeFor(code as PlatformRequestCode);
  let listener: ((f: PlatformFrameEvent) => void) | undefined;
  const answered = new Promise<ReplayedFrame>((resolve) => {
    listener = (f) => {
      const body = f.message.body as Record<string, unknown>;
      if (
        f.deviceId === recording.deviceId &&
        f.direction === "in" &&
        f.message.code === pair &&
        body.sequence === sequence
      )
        resolve({ code: pair, body, at: f.at });
    };
    platform.events.on("frame", listener);
  });
  session.retransmitLastRequest();
  return withinMs(clock, answered, responseTimeoutOf(options)).finally(() => {
    if (listener !== undefined) platform.events.off("frame", listener);
  });
}

/** The platform's last request as it went out. */
interface LastSent {
  sequence: unknown;
}

/** Each recorded request of the device's (timer-driven ones aside) with the next one of its code this run. */
function matchDeviceRequests(
  exchanges: readonly Exchange[],
  results: Map<Exchange, ReplayedExchange>,
  arrived: ReplayedFrame[],
  recordedConnect: number,
): void {
  for (const exchange of exchanges) {
    const { request } = exchange;
    if (request.from !== "device" || TIMER_DRIVEN.has(request.code)) continue;
    const result = results.get(exchange) as ReplayedExchange;
    const index = arrived.findIndex((f) => f.code === request.code);
    const match = index < 0 ? undefined : arrived.splice(index, 1)[0];
    if (match === undefined) {
      result.note = `the device sent no ${request.code} ${request.name} (recorded at +${((request.at - recordedConnect) / 1000).toFixed(1)} s after the connect)`;
      continue;
    }
    result.request = match;
  }
}

/** Clock time of the device's session start (now, when it already has one), or undefined after `waitMs`. */
function sessionStart(
  platform: Platform,
  deviceId: string,
  clock: Clock,
  waitMs: number,
): Promise<number | undefined> {
  if (platform.sessionOf(deviceId) !== undefined) return Promise.resolve(clock.now());
  let listener: ((s: { deviceId: string }) => void) | undefined;
  const started = new Promise<number>((resolve) => {
    listener = (s) => {
      if (s.deviceId === deviceId) resolve(clock.now());
    };
    platform.events.on("session", listener);
  });
  return withinMs(clock, started, waitMs).finally(() => {
    if (listener !== undefined) platform.events.off("session", listener);
  });
}
