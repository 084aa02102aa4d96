import { formatEnvelope, framings } from "../protocol/cts/envelope.ts";
import { parseEnvelope } from "../protocol/mc/envelope.ts";
import { isMcCode, packetType } from "../protocol/mc/packet-types.ts";
import type { McMessage } from "../protocol/mc/schemas/index.ts";
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
  /** What became of a frame that could not be read (a login refused for a wrong PIN, say). */
  note?: string;
}

export function evidenceFrame(
  observer: Observer,
  deviceId: string,
  direction: "in" | "out",
  message: McMessage,
  at: number,
  raw?: Uint8Array,
): EvidenceFrame {
  const frame = seenFrame(observer, deviceId, direction, message, at);
  if (raw !== undefined) frame.raw = maskedRaw(raw);
  return frame;
}

/**
 * As `evidenceFrame`, without the raw line: a recorder that keeps the line's bytes masks them only when the frame is
 * read (`maskedRaw` parses and formats the envelope again, and most recorded frames are never read). The body is
 * masked at once: it is a copy, so what the sender does with its objects afterwards does not change it.
 */
export function seenFrame(
  observer: Observer,
  deviceId: string,
  direction: "in" | "out",
  message: McMessage,
  at: number,
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
  return frame;
}

/**
 * The frame line as it went on the wire, with the clear-text `token` of its envelope masked: the body stays
 * encrypted (decodable with the PIN or session key), but a token in clear would let anyone speak for the device.
 */
export function maskedRaw(raw: Uint8Array): string {
  const line = Buffer.from(raw);
  const bare =
    line.length >= 2 && line[line.length - 2] === 0x0d && line[line.length - 1] === 0x0a
      ? line.subarray(0, -2)
      : line;
  for (const framing of framings) {
    const envelope = parseEnvelope(bare, framing);
    if (envelope.ok)
      return envelope.value.token === undefined
        ? bare.toString("latin1")
        : formatEnvelope({ ...envelope.value, token: REDACTED }, framing);
  }
  return bare.toString("latin1").replace(/"token"\s*:\s*"[^"]*"/g, `"token":"${REDACTED}"`);
}

const REDACTED = "[redacted]";

/** A frame the platform refused without reading its body: recorded from its clear envelope, with the outcome. */
export function refusedFrame(
  refusal: { outcome: string; raw?: Uint8Array; deviceId?: string },
  at: number,
): EvidenceFrame {
  let code = 1002;
  let deviceId = refusal.deviceId ?? "";
  if (refusal.raw !== undefined)
    for (const framing of framings) {
      const envelope = parseEnvelope(Buffer.from(refusal.raw), framing);
      if (envelope.ok) {
        code = envelope.value.code;
        deviceId = deviceId || (envelope.value.deviceId ?? "");
        break;
      }
    }
  return {
    at,
    observer: "platform",
    deviceId: deviceId || "unknown",
    direction: "in",
    code,
    name: isMcCode(code) ? packetType(code).name : `code ${code}`,
    body: {},
    ...(refusal.raw === undefined ? {} : { raw: maskedRaw(refusal.raw) }),
    note: `login refused: ${refusal.outcome} (connection closed without an answer)`,
  };
}
