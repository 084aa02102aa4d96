import { request } from "node:http";
import { connect } from "node:net";
import type { Clock } from "../../../harness/clock/index.ts";

/** The push fuzz's sockets: one HTTP request, or raw bytes, each on its own connection and bounded on the clock. */

export interface FuzzAnswer {
  status: number;
  text: string;
}

/** Answers longer than this are cut: the fuzz judges the start of an answer only. */
const KEPT_ANSWER_BYTES = 64 * 1024;

/**
 * A request to `path` (as on the request line, not normalised) at `url`'s host and port: the answer, `undefined` when
 * none came within `ms` (the connection is destroyed then), or `"not-sent"` when Node refused the request line or a
 * header.
 */
export function httpExchange(
  url: URL,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  clock: Clock,
  ms: number,
): Promise<FuzzAnswer | "not-sent" | undefined> {
  let req: ReturnType<typeof request>;
  try {
    req = request(url, {
      agent: false,
      path,
      method,
      headers: { ...headers, "content-length": String(body.length) },
    });
  } catch {
    return Promise.resolve("not-sent");
  }
  return new Promise((resolve) => {
    const deadline = clock.setTimeout(
      () => {
        req.destroy();
        settle(undefined);
      },
      ms,
      "push-fuzz-answer",
    );
    let done = false;
    const settle = (value: FuzzAnswer | undefined) => {
      if (done) return;
      done = true;
      deadline.cancel();
      resolve(value);
    };
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on("data", (c: Buffer) => {
        if (kept < KEPT_ANSWER_BYTES) chunks.push(c);
        kept += c.length;
      });
      res.on("end", () =>
        settle({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", () => settle(undefined));
    });
    req.on("error", () => settle(undefined));
    req.end(body);
  });
}

/** Writes `bytes` on a new connection and ends it; resolves with the status line's code (0: none) once it closes. */
export function rawExchange(
  host: string,
  port: number,
  bytes: Buffer,
  clock: Clock,
  ms: number,
): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let head = "";
    const deadline = clock.setTimeout(() => socket.destroy(), ms, "push-fuzz-raw");
    socket.on("data", (c: Buffer) => {
      if (head.length < 64) head += c.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      deadline.cancel();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0));
    });
    socket.end(bytes);
  });
}
