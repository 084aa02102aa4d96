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
