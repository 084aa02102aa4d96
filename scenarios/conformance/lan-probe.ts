import { type LanAnswerError, LanClient } from "../../emulators/app/lan-client.ts";
import { type DiscoveryResult, discoverDevices } from "../../emulators/app/lan-discovery.ts";
import { newLanRand } from "../../emulators/app/platform-lan-key.ts";
import type { WireError } from "../../harness/errors.ts";
import type { LanMessage, LanResponse } from "../../harness/protocol/md/messages.ts";
import type { LanTarget } from "../target/lan-target.ts";
import { ClauseFailure, expectThat } from "./clause.ts";

/**
 * What the Md suite does to a device's LAN side and keeps of what it said: searches with every datagram as it came,
 * authenticated sessions with every message in and out, and each result code the device gave in the run (6.2.6).
 */

/** How long an answer on the LAN is awaited. */
export const LAN_ANSWER_MS = 10_000;

/** A result code the device gave, and where: the frame that carried it. */
export interface GivenCode {
  code: number;
  where: string;
}

interface RunRecord {
  codes: GivenCode[];
  /** 6.2.1 `lanControl` of the last answer decoded. */
  lanControl?: number;
}

const records = new WeakMap<LanTarget, RunRecord>();

/** What the run has kept of a target so far. */
export function recordOf(target: LanTarget): RunRecord {
  let record = records.get(target);
  if (record === undefined) {
    record = { codes: [] };
    records.set(target, record);
  }
  return record;
}

/** A message as a failure names it: its JSON, cut short. */
export function shown(message: unknown): string {
  const text = JSON.stringify(message, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

export interface Search extends DiscoveryResult {
  /** Every datagram from the device's discovery address, in hex. */
  datagrams: string[];
}

/** 6.2.1: one search by unicast to the device's discovery address; answers within `timeoutMs`. */
export async function search(
  target: LanTarget,
  model: string | undefined,
  timeoutMs: number,
): Promise<Search> {
  const datagrams: string[] = [];
  const result = await target.settle(
    discoverDevices({
      targets: [target.discovery],
      ...(model === undefined ? {} : { model }),
      timeoutMs,
      clock: target.clock,
      flagOrder: target.flagOrder,
      onDatagram: (datagram) => datagrams.push(datagram.toString("hex")),
    }),
    timeoutMs + LAN_ANSWER_MS,
  );
  for (const found of result.found)
    recordOf(target).codes.push({ code: found.code, where: `discovery answer ${shown(found)}` });
  return { ...result, datagrams };
}

/** A control connection and everything that crossed it. */
export interface Session {
  readonly client: LanClient;
  /** Messages from the device, in order. */
  readonly received: LanMessage[];
  /** Messages sent, in order. */
  readonly sent: LanMessage[];
  /** Frames from the device that did not decode. */
  readonly bad: WireError[];
  /** Whether the device closed the connection (or it was closed). */
  readonly isClosed: () => boolean;
}

/** Connects to the control port, recording every message; fails the clause if no connection can be made. */
export async function connect(target: LanTarget): Promise<Session> {
  let client: LanClient;
  try {
    client = await LanClient.connect(target.control, {
      deviceId: target.deviceId,
      clock: target.clock,
      timeoutMs: LAN_ANSWER_MS,
    });
  } catch (error) {
    throw new ClauseFailure(
      `expected a TCP connection to ${target.control}; saw ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const received: LanMessage[] = [];
  const sent: LanMessage[] = [];
  const bad: WireError[] = [];
  let closed = false;
  void client.closed.then(() => {
    closed = true;
  });
  client.onMessage((message) => {
    received.push(message);
    if (message.cmd === "resp")
      recordOf(target).codes.push({ code: message.code, where: `resp ${shown(message)}` });
  });
  client.onSent((message) => sent.push(message));
  client.onBadFrame((error) => bad.push(error));
  return { client, received, sent, bad, isClosed: () => closed };
}

/** A rand and its lanKey from the target's source of credentials. */
export async function grant(target: LanTarget): Promise<{ rand: string; lanKey: string; liveTime: number }> {
  const rand = newLanRand(target.random);
  return { rand, ...(await target.credentials(rand)) };
}

/** 6.2.2: connects and authenticates with a good lanKey (`liveTime` overrides the platform's); fails unless code 0. */
export async function authenticated(target: LanTarget, liveTime?: number): Promise<Session> {
  const session = await connect(target);
  const credentials = await grant(target);
  const resp = await answerTo(
    target,
    session,
    session.client.authenticate({ ...credentials, ...(liveTime === undefined ? {} : { liveTime }) }),
    "the auth resp",
  );
  if (resp.code !== 0) {
    await session.client.close();
    throw new ClauseFailure(`expected auth with the platform's lanKey answered code 0; saw ${shown(resp)}`);
  }
  return session;
}

/**
 * Waits for an answer of the client on the target's time. When none comes, fails the clause naming what came
 * instead: the messages after the request, the frames that did not decode, or a closed connection.
 */
export async function answerTo<T>(
  target: LanTarget,
  session: Session,
  answer: Promise<T>,
  what: string,
): Promise<T> {
  const from = session.received.length;
  try {
    return await target.settle(answer, LAN_ANSWER_MS + 1000);
  } catch (error) {
    throw new ClauseFailure(
      `expected ${what} within ${LAN_ANSWER_MS} ms; saw ${sawSince(session, from, error)}`,
    );
  }
}

/** What a session saw from message `from` on, for a failure's detail. */
export function sawSince(session: Session, from: number, error?: unknown): string {
  const parts = session.received.slice(from).map((m) => shown(m));
  parts.push(...session.bad.map((b) => `a frame that does not decode (${b.code}: ${b.message})`));
  if (session.isClosed()) parts.push("the connection closed");
  else if (error !== undefined && parts.length === 0)
    parts.push(error instanceof Error ? (error as LanAnswerError).message : String(error));
  return parts.length === 0 ? "nothing" : parts.join("; ");
}

/** The first message from `from` on that matches, waiting for it on the target's time; undefined if none came. */
export async function nextMessage(
  target: LanTarget,
  session: Session,
  from: number,
  match: (message: LanMessage) => boolean,
  maxMs: number,
): Promise<LanMessage | undefined> {
  const find = () => session.received.slice(from).find(match);
  const found = find();
  if (found !== undefined) return found;
  const arrived = new Promise<LanMessage>((resolve) => {
    session.client.onMessage(() => {
      const now = find();
      if (now !== undefined) resolve(now);
    });
  });
  return target.settle(arrived, maxMs).catch(() => undefined);
}

/** The state, from a query on `session`: the first resp after it, whatever its mid (6.2.3 checks the mid). */
export async function stateOf(target: LanTarget, session: Session): Promise<LanResponse> {
  const from = session.received.length;
  sendUnmatched(session, (s) => s.client.query());
  const resp = await answerAfter(target, session, from, "a resp to a query");
  expectThat(resp.cmd === "resp" && resp.code === 0, "a query answered code 0", shown(resp));
  return resp;
}

/** Sends a request without waiting on the client's own matching; returns the mid it went with. */
export function sendUnmatched(session: Session, send: (session: Session) => Promise<unknown>): string {
  send(session).catch(() => undefined);
  const last = session.sent[session.sent.length - 1] as { mid?: string } | undefined;
  return last?.mid ?? "";
}

/** The first answer (a `resp`, or a `post` with a mid) after message `from`; fails naming what came instead. */
export async function answerAfter(
  target: LanTarget,
  session: Session,
  from: number,
  what: string,
): Promise<LanMessage> {
  const isAnswer = (m: LanMessage) => m.cmd === "resp" || (m.cmd === "post" && m.mid !== undefined);
  const answer = await nextMessage(target, session, from, isAnswer, LAN_ANSWER_MS);
  if (answer === undefined)
    throw new ClauseFailure(`expected ${what} within ${LAN_ANSWER_MS} ms; saw ${sawSince(session, from)}`);
  return answer;
}

/** Lets `ms` pass on the target's time: simulated on virtual time, waited out on a real clock. */
export function pause(target: LanTarget, ms: number): Promise<void> {
  return target.settle(
    new Promise<void>((resolve) => target.clock.setTimeout(resolve, ms, "lan-suite-pause")),
    ms + 1000,
  );
}

/** Closes a session, whatever state it is in. */
export async function done(...sessions: Session[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.client.close().catch(() => undefined)));
}
