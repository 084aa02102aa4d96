import { type ClientRequest, Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Clock } from "../../../harness/clock/clock.ts";

/** How much of an answer is read: the documented answer is a few dozen bytes. */
const ANSWER_LIMIT = 64 * 1024;

export interface PushPost {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  clock: Clock;
  /** The receiver's connections (pushAgent). */
  agent: HttpAgent;
}

/** One kept-alive connection per receiver (pushes go one at a time); `destroy()` ends it when the sender closes. */
export function pushAgent(url: URL): HttpAgent {
  const options = { keepAlive: true, maxSockets: 1 };
  return url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
}

export type PushAnswer = { status: number; text: string } | { failed: string };

export interface PushAttempt {
  readonly answer: Promise<PushAnswer>;
  /** Ends the request now (the sender closes): the answer becomes `failed`. */
  abort(): void;
}

/**
 * One push: `POST url` with `application/json` (seed, "Request Method"), the answer's status and text, or why there
 * is none (a refused connection, no complete answer within `timeoutMs` on the clock). Never rejects.
 */
export function postPush(post: PushPost): PushAttempt {
  const { url, clock, timeoutMs } = post;
  const payload = Buffer.from(post.body, "utf8");
  let finish: (answer: PushAnswer) => void = () => undefined;
  const answer = new Promise<PushAnswer>((resolve) => {
    finish = resolve;
  });
  let done = false;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  let req: ClientRequest;
  try {
    req = send(url, {
      method: "POST",
      agent: post.agent,
      headers: {
        ...post.headers,
        "content-type": "application/json",
        "content-length": String(payload.length),
      },
    });
  } catch (error) {
    // A request Node refuses to start (a header it cannot carry): abnormal, as no answer would be.
    const failed = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    return { answer: Promise.resolve({ failed }), abort: () => undefined };
  }
  const settle = (outcome: PushAnswer): void => {
    if (done) return;
    done = true;
    timer.cancel();
    req.destroy();
    finish(outcome);
  };
  const timer = clock.setTimeout(
    () => settle({ failed: `no answer within ${timeoutMs} ms` }),
    timeoutMs,
    "push timeout",
  );
  req.on("error", (error) => settle({ failed: `no answer: ${error.message}` }));
  req.on("response", (res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= ANSWER_LIMIT) chunks.push(chunk);
    });
    res.on("end", () =>
      settle({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
    );
    res.on("error", (error) => settle({ failed: `answer cut short: ${error.message}` }));
  });
  req.end(payload);
  return { answer, abort: () => settle({ failed: "the sender closed" }) };
}
