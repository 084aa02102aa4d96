import { PassThrough, Readable } from "node:stream";
import { main } from "../main.ts";

/** What `runCli` collected: the exit code, stdout, its JSON lines, and stderr. */
export interface CliRun {
  code: number;
  stdout: string;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** `hilfarm <args>` in this process, with its output collected; no stdin, and no stop signal ever comes. */
export async function runCli(args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await main(
    args,
    { stdin: Readable.from([]), stdout, stderr },
    () => new Promise(() => undefined),
  );
  const lines = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, stdout: out, lines, stderr: err };
}
