import { type EvidenceFrame, evidenceFrame } from "../evidence/evidence-frame.ts";
import { CipherKey } from "../protocol/cts/crypto.ts";
import { DEFAULT_MAX_FRAME_LENGTH, FRAME_PREFIX, type Framing } from "../protocol/cts/envelope.ts";
import { decodeFrameLine } from "../protocol/mc/codec.ts";
import { keyKindFor, packetType } from "../protocol/mc/packet-types.ts";

export interface CaptureOptions {
  /** The device's PIN: decrypts the login and, from its 1003, the session key. */
  pin: string;
  /** The session key, for a capture that starts after the login. */
  sessionKey?: string;
  framing?: Framing;
  /** The device, for a capture without its 1002. */
  deviceId?: string;
  /** Midnight (ms since the epoch) of the day of `HH:MM:SS` timestamps; frames without one keep the previous time. */
  day?: number;
}

/** An evidence file's frames made from a capture, and one line per capture line that was not a frame. */
export interface CaptureConversion {
  frames: EvidenceFrame[];
  problems: string[];
}

const DAY_MS = 86_400_000;

/**
 * Reads a text capture of a device's session (`CTS` frame lines as another tool dumps them, one per line, each with
 * an optional leading timestamp: tcpdump's `HH:MM:SS.ffffff`, `-tt` epoch seconds, or `-tttt` date and time) into
 * evidence frames as the platform side sees them: direction from the packet type's sender (table 5.2.1), body
 * decrypted with the PIN and the session key of the 1003, secrets masked. Lines that are not frames are reported.
 */
export function framesFromCapture(lines: Iterable<string>, options: CaptureOptions): CaptureConversion {
  const frames: EvidenceFrame[] = [];
  const problems: string[] = [];
  const pinKey = CipherKey.fromPin(options.pin);
  let sessionKey =
    options.sessionKey === undefined ? undefined : CipherKey.fromSessionKey(options.sessionKey);
  let deviceId = options.deviceId;
  let at = options.day ?? 0;
  let lastClock: number | undefined;
  let dayOffset = 0;
  let lineNumber = 0;
  for (const line of lines) {
    lineNumber++;
    const text = line.trimEnd();
    const start = text.indexOf(FRAME_PREFIX);
    if (text.trim() === "" || text.trimStart().startsWith("#")) continue;
    if (start < 0) {
      problems.push(`line ${lineNumber}: no CTS frame on the line`);
      continue;
    }
    const stamp = timestampOf(text.slice(0, start), options.day ?? 0);
    if (stamp !== undefined) {
      // A clock-only timestamp that goes back has passed midnight: that day and every later line's.
      if (stamp.clockOnly && lastClock !== undefined && stamp.at < lastClock) dayOffset += DAY_MS;
      if (stamp.clockOnly) lastClock = stamp.at;
      at = stamp.at + (stamp.clockOnly ? dayOffset : 0);
    }
    const raw = Buffer.from(text.slice(start), "utf8");
    if (raw.length > DEFAULT_MAX_FRAME_LENGTH) {
      problems.push(`line ${lineNumber}: FRAME_TOO_LONG: ${raw.length} bytes`);
      continue;
    }
    const decoded = decodeFrameLine(
      raw,
      (envelope) => (keyKindFor(envelope.code) === "pin" ? pinKey : sessionKey),
      options.framing,
    );
    if (!decoded.ok) {
      problems.push(`line ${lineNumber}: ${decoded.error.code}: ${decoded.error.message}`);
      continue;
    }
    const { envelope, message } = decoded.value;
    if (message.code === 1002) deviceId = envelope.deviceId ?? message.body.deviceId;
    if (message.code === 1003 && message.body.result === 0)
      try {
        sessionKey = CipherKey.fromSessionKey(message.body.sessionKey);
      } catch (error) {
        problems.push(`line ${lineNumber}: the 1003's sessionKey is not a key: ${(error as Error).message}`);
      }
    const fromDevice = packetType(message.code).sender === "device";
    frames.push(
      evidenceFrame("platform", deviceId ?? "unknown", fromDevice ? "in" : "out", message, at, raw),
    );
  }
  return { frames, problems };
}

/** The leading timestamp of a capture line, ms since the epoch; `clockOnly` when it gave no date. */
function timestampOf(prefix: string, day: number): { at: number; clockOnly: boolean } | undefined {
  const text = prefix.trim();
  const dated = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)/.exec(text);
  if (dated !== null) {
    const at = Date.parse(`${dated[1]}T${dated[2]}Z`);
    return Number.isNaN(at) ? undefined : { at, clockOnly: false };
  }
  const epoch = /^(\d{9,11}(?:\.\d+)?)\b/.exec(text);
  if (epoch?.[1] !== undefined) return { at: Math.round(Number(epoch[1]) * 1000), clockOnly: false };
  const clock = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)\b/.exec(text);
  if (clock !== null)
    return {
      at: day + Math.round(((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1000),
      clockOnly: true,
    };
  return undefined;
}
