import type { IncomingMessage } from "node:http";

/**
 * The body of a request, or "too-large" as soon as it passes `limit` bytes (declared in `content-length`, or
 * counted as it arrives). What comes after the limit is read and dropped, so the connection can still be answered;
 * nothing beyond `limit` is held in memory.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return Promise.resolve("too-large");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve("too-large");
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}
