import { spawn } from "node:child_process";
import { TlsError } from "./tls-error.ts";

export interface OpensslRun {
  /** The binary to run; `openssl` from the PATH unless given. */
  binary: string;
  args: readonly string[];
  /** Written to the command's stdin (a CSR), then stdin is closed. */
  input?: string;
}

/**
 * Runs one openssl command without a shell and returns its stdout. A missing binary, a non-zero exit or a signal
 * becomes a `TlsError` `TLS_OPENSSL` naming the command and its stderr. Keys go to stdout only when the caller
 * writes them to a file itself; nothing here prints stdout.
 */
export function runOpenssl({ binary, args, input }: OpensslRun): Promise<string> {
  const command = [binary, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    // An early exit closes stdin under our write; the exit status tells what went wrong.
    child.stdin.on("error", () => {});
    child.on("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code === "ENOENT" ? `${binary} not found on the PATH` : error.message;
      reject(new TlsError("TLS_OPENSSL", `openssl could not be started (${command}): ${reason}`, reason));
    });
    child.on("close", (status, signal) => {
      if (status === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const stderr = Buffer.concat(err).toString("utf8").trim();
      const how = signal === null ? `exit status ${status}` : `signal ${signal}`;
      reject(new TlsError("TLS_OPENSSL", `openssl failed (${how}): ${command}\n${stderr}`, stderr));
    });
    child.stdin.end(input ?? "");
  });
}
