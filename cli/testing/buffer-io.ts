import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import type { CliIo } from "../io.ts";

/** A command's streams in memory: its stdout read as JSON lines, its stderr as text. */
export function bufferIo(): {
  io: CliIo;
  nextLine: () => Promise<Record<string, unknown>>;
  stderr: () => string;
} {
  const out = new PassThrough();
  const err = new PassThrough();
  let stderr = "";
  err.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: out })[Symbol.asyncIterator]();
  return {
    io: { stdin: new PassThrough(), stdout: out, stderr: err },
    nextLine: async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>,
    stderr: () => stderr,
  };
}
