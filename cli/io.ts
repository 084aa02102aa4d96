import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/** Where a command reads and writes; the real process streams, or buffers in tests. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export const processIo = (): CliIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

/** Lines of each file in turn (`-` is stdin), or of stdin when no file is named. */
export async function* readLines(files: readonly string[], stdin: Readable): AsyncGenerator<string> {
  const sources = files.length === 0 ? ["-"] : files;
  for (const source of sources) {
    const input = source === "-" ? stdin : createReadStream(source);
    yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  }
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
