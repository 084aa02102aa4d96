import { packetType } from "../protocol/ct/packet-types.ts";
import type { McMessage } from "../protocol/ct/schemas/index.ts";
import { maskSecrets } from "../secrets.ts";

/** Who saw the frame: the platform side or the device side of the wire. */
export type Observer = "platform" | "device";

/**
 * One frame a scenario exchanged, as recorded for evidence: when (the run's clock), who saw it going which way, the
 * decrypted message with its secrets masked, and the frame line as it went on the wire (still encrypted).
 */
export interface EvidenceFrame {
  at: number;
  observer: Observer;
  deviceId: string;
  direction: "in" | "out";
  code: number;
  name: string;
  sequence?: string;
  body: Record<string, unknown>;
  raw?: string;
}

export function evidenceFrame(
  observer: Observer,
  deviceId: string,
  direction: "in" | "out",
  message: McMessage,
  at: number,
  raw?: Uint8Array,
): EvidenceFrame {
  const body = message.body as Record<string, unknown>;
  const frame: EvidenceFrame = {
    at,
    observer,
    deviceId,
    direction,
    code: message.code,
    name: packetType(message.code).name,
    body: maskSecrets(body),
  };
  if (typeof body.sequence === "string") frame.sequence = body.sequence;
  if (raw !== undefined) frame.raw = Buffer.from(raw).toString("latin1").replace(/\r\n$/, "");
  return frame;
}
