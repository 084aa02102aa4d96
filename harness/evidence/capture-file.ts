import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { EvidenceFrame } from "./evidence-frame.ts";

/** The first line of an evidence file. */
export const EVIDENCE_FORMAT = "hilfarm-evidence/1";

/**
 * An evidence file: JSON lines, a header then one frame per line (clock time, observer, direction, device, code,
 * sequence, decrypted body with secrets masked, raw frame line). `hilfarm frame decode` reads it back.
 */
export interface CaptureWriter {
  readonly path: string;
  write(frame: EvidenceFrame): void;
  close(): Promise<void>;
}

export function openCapture(path: string, about: Record<string, unknown> = {}): CaptureWriter {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { encoding: "utf8" });
  stream.write(`${JSON.stringify({ format: EVIDENCE_FORMAT, ...about })}\n`);
  return {
    path,
    write: (frame) => {
      stream.write(`${JSON.stringify(frame)}\n`);
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      ),
  };
}

/** True for a line an evidence file holds: its header or one of its frames. */
export function evidenceLine(text: string): { header: true } | { frame: EvidenceFrame } | undefined {
  if (!text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.format === EVIDENCE_FORMAT) return { header: true };
  if (
    typeof record.observer === "string" &&
    typeof record.code === "number" &&
    typeof record.at === "number" &&
    typeof record.body === "object"
  )
    return { frame: record as unknown as EvidenceFrame };
  return undefined;
}
