import type { IncomingMessage } from "node:http";
import type { Clock } from "../clock/clock.ts";

/** How long a body may take to arrive, on a clock: past it the request is "too-slow" and its socket ended. */
export interface BodyDeadline {
  readonly clock: Clock;
  readonly ms: number;
}

/**
 * The body of a request, or "too-large" as soon as it passes `limit` bytes (declared in `content-length`, or
 * counted as it arrives), or "too-slow" when it has not ended within `deadline` (its socket is then destroyed: a
 * client that never finishes its body must not hold a connection). What comes after the limit is read and dropped,
 * so the connection can still be answered; nothing beyond `limit` is held in memory.
 */
export function readBoundedBody(
  req: IncomingMessage,
  limit: number,
  deadline?: BodyDeadline,
): Promise<Buffer | "too-large" | "too-slow"> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return Promise.resolve("too-large");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer = deadline?.clock.setTimeout(
      () => {
        settle("too-slow");
        req.socket.destroy();
      },
      deadline.ms,
      "http body deadline",
    );
    function settle(outcome: Buffer | "too-large" | "too-slow"): void {
      if (settled) return;
      settled = true;
      timer?.cancel();
      chunks.length = 0;
      resolve(outcome);
    }
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) settle("too-large");
      else chunks.push(chunk);
    });
    req.on("end", () => settle(Buffer.concat(chunks)));
    req.on("error", (error) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      reject(error);
    });
  });
}
