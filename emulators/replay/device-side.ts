import type { Clock } from "../../harness/clock/clock.ts";
import { packetType } from "../../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { parseSequence } from "../../harness/protocol/mc/sequence.ts";
import { mcTimingDefaults } from "../../harness/protocol/mc/timing.ts";
import { type Exchange, exchangesOf } from "../../harness/replay/exchanges.ts";
import type { RecordedFrame, Recording } from "../../harness/replay/recording.ts";
import type { ReplayedExchange, ReplayedFrame, ReplayOutcome } from "../../harness/replay/verdict.ts";
import { ScriptedDevice } from "../device/scripted-device.ts";
import { bodyToSend, clockReaches, withinMs } from "./replayed.ts";

export interface DeviceSideReplayOptions {
  recording: Recording;
  clock: Clock;
  /** `host:port` of the platform's login server. */
  loginAddress: string;
  /** The device's PIN: recordings mask it. */
  pin: string;
  /** The connection transport (recordings do not say which one the session used). Default tcp. */
  transport?: "tcp" | "udp";
  /** How long an answer may take before it counts as missing (5.2: 10 s). */
  responseTimeoutMs?: number;
}

/**
 * Plays the device's side of a recorded session against a platform: logs in and connects with the new session's
 * keys, sends each recorded request (and resend) at its recorded offset from the first frame, with `time` fields of
 * now and the token of this session, and answers the platform's requests with the recorded answers after their
 * recorded delays. Sequences are kept as recorded: the 1004's is the session's random start, and every later request
 * keeps its recorded distance from it (a recorded sequence fault plays again as one).
 */
export async function replayDeviceSide(options: DeviceSideReplayOptions): Promise<ReplayOutcome> {
  const { recording, clock } = options;
  const responseTimeoutMs = options.responseTimeoutMs ?? mcTimingDefaults.responseTimeoutMs;
  const exchanges = exchangesOf(recording.frames);
  const results = new Map<Exchange, ReplayedExchange>(exchanges.map((e) => [e, { exchange: e }]));
  const device = new ScriptedDevice(recording.deviceId, options.pin, clock);
  const arrivals: Array<{ message: McMessage; at: number }> = [];
  const unexpected: ReplayedFrame[] = [];
  const platformRequests = exchanges.filter((e) => e.request.from === "platform");
  let closed: { at: number } | undefined;

  // Platform requests answered so far, by code and sequence: a resend (5.2) gets the same answer again.
  const answered = new Map<string, ReplayedExchange>();
  device.on("frame", ({ direction, message, at }) => {
    if (direction !== "in") return;
    arrivals.push({ message, at });
    if (packetType(message.code).role !== "request") return;
    const body = message.body as Record<string, unknown>;
    const key = `${message.code}:${String(body.sequence)}`;
    const again = answered.get(key);
    // The platform's own request: answered as the recording answered the next one of its code.
    const index =
      again !== undefined ? -1 : platformRequests.findIndex((e) => e.request.code === message.code);
    const recorded = again?.exchange ?? (index < 0 ? undefined : platformRequests.splice(index, 1)[0]);
    if (recorded === undefined) {
      unexpected.push({ code: message.code, body, at });
      return;
    }
    const result = results.get(recorded) as ReplayedExchange;
    answered.set(key, result);
    result.request ??= { code: message.code, body, at };
    const answer = recorded.answer;
    if (answer === undefined) return;
    clock.setTimeout(
      () => {
        const { body: sent, masked } = bodyToSend(answer.body, clock.now());
        if (masked !== undefined) {
          result.note = `not answered: its ${masked} is masked in the recording`;
          return;
        }
        const { sequence: _, ...rest } = sent;
        try {
          device.respond(message, answer.code, rest);
          result.answer ??= {
            code: answer.code,
            body: { ...rest, sequence: body.sequence },
            at: clock.now(),
          };
        } catch (error) {
          result.note = `not answered: ${error instanceof Error ? error.message : String(error)}`;
        }
      },
      Math.max(0, answer.at - recorded.request.at),
      "replay:answer",
    );
  });

  const sends = exchanges
    .filter((e) => e.request.from === "device")
    .flatMap((e) => [e.request, ...e.resends].map((frame) => ({ frame, exchange: e })))
    .sort((a, b) => a.frame.at - b.frame.at);
  const recordedStart = recording.frames[0]?.at ?? 0;
  const startedAt = clock.now();
  let lastSendAt = startedAt;
  // Each connection's end is told by its own handler: a later session's link is not the one that closed.
  let session = 0;

  for (const { frame, exchange } of sends) {
    await clockReaches(clock, startedAt + (frame.at - recordedStart));
    const result = results.get(exchange) as ReplayedExchange;
    const resend = frame !== exchange.request;
    if (resend && result.request === undefined) continue;
    if (closed !== undefined && frame.code !== 1002) {
      result.note ??= `not sent: the platform closed the connection at +${seconds(closed.at - startedAt)} s`;
      continue;
    }
    lastSendAt = clock.now();
    if (frame.code === 1002 || frame.code === 1004) {
      closed = undefined;
      const mine = ++session;
      // A new connect replaces the connection (5.4.2 (3) item 2): the old link goes first.
      if (frame.code === 1004) device.close();
      result.request = { code: frame.code, body: frame.body, at: lastSendAt };
      result.note = await openSession(device, frame, options, responseTimeoutMs, clock);
      if (frame.code === 1004 && result.note === undefined)
        void device.closed().then(() => {
          if (mine === session) closed = { at: clock.now() };
        });
      continue;
    }
    const { body, masked } = bodyToSend(frame.body, lastSendAt, { token: device.token });
    if (masked !== undefined) {
      result.note = `not sent: its ${masked} is masked in the recording`;
      continue;
    }
    if (!resend) result.request = { code: frame.code, body, at: lastSendAt };
    try {
      device.sendRaw({ code: frame.code, body } as McMessage);
    } catch (error) {
      result.note = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  // The last answers: until each sent request has one, the link closes, or the response timeout passes.
  const unanswered = () =>
    [...results.values()].some(
      (r) =>
        r.exchange.request.from === "device" &&
        r.request !== undefined &&
        answerOf(r, arrivals) === undefined,
    );
  const deadline = lastSendAt + responseTimeoutMs;
  while (unanswered() && closed === undefined && clock.now() < deadline)
    await clockReaches(clock, Math.min(deadline, clock.now() + 100), "replay:last-answers");
  device.close();

  for (const result of results.values()) {
    if (result.exchange.request.from !== "device" || result.request === undefined) continue;
    const answer = answerOf(result, arrivals);
    if (answer !== undefined)
      result.answer = {
        code: answer.message.code,
        body: answer.message.body as Record<string, unknown>,
        at: answer.at,
      };
    else if (closed !== undefined && result.note === undefined)
      result.note = `no answer: the platform closed the connection at +${seconds(closed.at - startedAt)} s`;
  }
  return { exchanges: [...results.values()], startedAt, endedAt: clock.now(), recordedStart, unexpected };
}

/** Logs in (1002) or connects (1004) as recorded; undefined when the answer came, else why it did not. */
async function openSession(
  device: ScriptedDevice,
  frame: RecordedFrame,
  options: DeviceSideReplayOptions,
  responseTimeoutMs: number,
  clock: Clock,
): Promise<string | undefined> {
  const body = frame.body;
  if (frame.sequence !== undefined) device.sequence = parseSequence(frame.sequence);
  const now = Math.floor(clock.now() / 1000);
  try {
    const answered =
      frame.code === 1002
        ? await withinMs(
            clock,
            device.login(options.loginAddress, {
              body: { ...(typeof body.version === "string" ? { version: body.version } : {}), time: now },
            }),
            responseTimeoutMs,
          )
        : await withinMs(
            clock,
            device.connect(options.transport ?? "tcp", {
              body: {
                ...(typeof body.devVersion === "string" ? { devVersion: body.devVersion } : {}),
                ...(typeof body.model === "string" ? { model: body.model } : {}),
                time: now,
              },
            }),
            responseTimeoutMs,
          );
    if (answered !== undefined) return undefined;
    // A login left waiting would hold its socket open.
    if (frame.code === 1002) device.close();
    return `no answer within ${responseTimeoutMs} ms`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The first answer to the exchange's request as sent this time: the paired code with its sequence. */
function answerOf(
  result: ReplayedExchange,
  arrivals: ReadonlyArray<{ message: McMessage; at: number }>,
): { message: McMessage; at: number } | undefined {
  const request = result.request;
  if (request === undefined) return undefined;
  const code = packetType(result.exchange.request.code).pair;
  const sequence = result.exchange.request.sequence;
  return arrivals.find(
    (a) =>
      a.message.code === code &&
      a.at >= request.at &&
      (a.message.body as { sequence?: string }).sequence === sequence,
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
