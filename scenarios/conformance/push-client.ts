import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { abnormalAnswer, pushBody, signPush } from "../../harness/protocol/aqara/index.ts";
import { settleOn } from "./c-probe.ts";
import type { PushReceiverTarget } from "./push-receiver-target.ts";

/** What a receiver answered one push. */
export interface PushReply {
  status: number;
  text: string;
}

/** One push's parts the suite varies; the rest are a valid push's. */
export interface SuitePush {
  data?: string;
  /** `time` header (default: now on the target's clock). */
  time?: string;
  nonce?: string;
  appKey?: string;
  /** The secret the sign is made with (default: the target's). */
  appSecret?: string;
}

export const SUITE_CLIENT_IDS = ["hilfarm-conformance-app"] as const;

/** A fresh nonce: 16 random bytes in hex. */
export const freshNonce = (): string => randomBytes(16).toString("hex");

/** One push as the seed's sender makes it (written from harness/protocol/aqara), bounded by the target's answerMs. */
export function push(target: PushReceiverTarget, over: SuitePush = {}): Promise<PushReply> {
  return settleOn(target.clock, sendOne(target, over), target.answerMs);
}

/** `count` pushes at once, bounded together (one run of a virtual clock for all of them). */
export async function burst(target: PushReceiverTarget, count: number): Promise<PushReply[]> {
  const all = Promise.all(Array.from({ length: count }, () => sendOne(target, {})));
  // On a VirtualClock, the sockets get event-loop turns before time moves (each step of a run gives them only a few).
  if (target.clock instanceof VirtualClock) await ioTurns(all, 10_000);
  return settleOn(target.clock, all, target.answerMs);
}

/** Gives I/O up to `turns` event-loop turns, or until `promise` settles. */
async function ioTurns(promise: Promise<unknown>, turns: number): Promise<void> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < turns && !settled; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function sendOne(target: PushReceiverTarget, over: SuitePush): Promise<PushReply> {
  const time = over.time ?? String(target.clock.now());
  const nonce = over.nonce ?? freshNonce();
  const headers: Record<string, string> = { "content-type": "application/json", time, nonce };
  if (target.signing !== undefined) {
    const appkey = over.appKey ?? target.signing.appKey;
    headers.appkey = appkey;
    headers.sign = signPush({ appkey, nonce, time }, over.appSecret ?? target.signing.appSecret);
  }
  const data = over.data ?? JSON.stringify({ msgType: "state", deviceId: "conformance", time: Number(time) });
  const body = Buffer.from(JSON.stringify(pushBody(SUITE_CLIENT_IDS, data)), "utf8");
  const url = new URL(target.url);
  const send = url.protocol === "https:" ? httpsRequest : request;
  return new Promise<PushReply>((resolve, reject) => {
    const req = send(
      url,
      { agent: false, method: "POST", headers: { ...headers, "content-length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The answer as a clause shows it: status and the start of the body. */
export const shownReply = (reply: PushReply): string =>
  `HTTP ${reply.status} ${JSON.stringify(reply.text.length > 120 ? `${reply.text.slice(0, 120)}…` : reply.text)}`;

/** Why the answer is not the documented success, or undefined when it is. */
export const notInFormat = (reply: PushReply): string | undefined => abnormalAnswer(reply.status, reply.text);
