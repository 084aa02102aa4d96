import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { SECRET_FIELDS } from "../secrets.ts";

export type { Logger };

/** How deep below the top of a log object a secret field is still found and redacted. */
export const REDACT_DEPTH = 5;

/**
 * pino redaction paths for every secret field at depth 0..REDACT_DEPTH (`pin`, `*.pin`, `*.*.pin`, ...).
 * A `*` also matches an array index, so `devices[3].pin` is covered.
 */
export function redactPaths(fields: readonly string[] = SECRET_FIELDS, depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (const field of fields) {
    for (let level = 0; level <= depth; level++)
      paths.push([...Array<string>(level).fill("*"), field].join("."));
  }
  return paths;
}

export interface LoggerSettings {
  level?: LoggerOptions["level"];
  /** A file path or a stream; default stderr, because stdout carries hilfarm's machine-readable output. */
  destination?: string | DestinationStream;
  name?: string;
}

/** The one way hilfarm makes a logger: JSON lines, secrets (PIN, session keys, tokens, LAN keys, app secrets) redacted. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.HILFARM_LOG_LEVEL ?? "info",
    redact: { paths: redactPaths(), censor: "[redacted]" },
    base: settings.name === undefined ? null : { name: settings.name },
  };
  const destination =
    typeof settings.destination === "string"
      ? pino.destination({ dest: settings.destination, sync: false, mkdir: true })
      : (settings.destination ?? pino.destination(2));
  return pino(options, destination);
}

interface FileStream {
  fd: number;
  /** A write is under way (sonic-boom's own flag). */
  _writing: boolean;
  once(event: "ready" | "error" | "write", listener: (...args: unknown[]) => void): unknown;
  flushSync(): void;
}

const isFileStream = (stream: unknown): stream is FileStream =>
  typeof stream === "object" && stream !== null && "fd" in stream && "flushSync" in stream;

/**
 * Writes out every line logged so far before a command ends: a log file opens asynchronously, so a short run could
 * otherwise end before its lines reach the file. Resolves at once for stderr.
 */
export async function settleLog(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (!isFileStream(stream)) {
    logger.flush();
    return;
  }
  if (stream.fd < 0)
    await new Promise<void>((resolve) => {
      stream.once("ready", () => resolve());
      stream.once("error", () => resolve());
    });
  if (stream.fd < 0) return;
  // The writes under way land first, so the lines keep their order; then the rest, at once.
  for (let i = 0; i < 10_000 && stream._writing; i++)
    await new Promise<void>((resolve) => {
      stream.once("write", () => resolve());
      stream.once("error", () => resolve());
    });
  stream.flushSync();
}
