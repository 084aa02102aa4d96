import { showValue, UsageError } from "../harness/errors.ts";
import { evidenceLine } from "../harness/evidence/capture-file.ts";
import type { EvidenceFrame } from "../harness/evidence/evidence-frame.ts";
import { CipherKey } from "../harness/protocol/cts/crypto.ts";
import type { Framing } from "../harness/protocol/cts/envelope.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../harness/protocol/cts/envelope.ts";
import { decodeFrameLine } from "../harness/protocol/mc/codec.ts";
import type { Envelope } from "../harness/protocol/mc/envelope.ts";
import { keyKindFor, type McCode, packetType } from "../harness/protocol/mc/packet-types.ts";
import { isSecretField } from "../harness/secrets.ts";

export interface InspectorOptions {
  pin?: string;
  sessionKey?: string;
  framing?: Framing;
  maxFrameLength?: number;
  /** Replace secret fields (token, sessionKey, pin, ...) in the output, for sharing a decode in a bug report. */
  redact?: boolean;
}

export type InspectOutcome = { ok: true; json: string } | { ok: false; message: string } | { ok: "skip" };

/**
 * Decodes captured frames one line at a time, as a lab engineer reads them: with the device's PIN it decodes the
 * login (1002/1003) and learns the `sessionKey` of each 1003, so the rest of the capture decodes too.
 */
export class FrameInspector {
  private readonly pinKey: CipherKey | undefined;
  private sessionKey: CipherKey | undefined;
  private readonly deviceKeys = new Map<string, CipherKey>();
  private readonly framing: Framing;
  private readonly maxFrameLength: number;
  private readonly redact: boolean;

  constructor(options: InspectorOptions) {
    this.pinKey = options.pin === undefined ? undefined : CipherKey.fromPin(options.pin);
    this.sessionKey =
      options.sessionKey === undefined ? undefined : CipherKey.fromSessionKey(options.sessionKey);
    this.framing = options.framing ?? "cts-json";
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.redact = options.redact ?? false;
  }

  /**
   * One captured line (CR/LF already stripped): a frame line, or a line of a hilfarm evidence file. Blank lines
   * and `#` comments are skipped.
   */
  inspect(line: string, lineNumber: number): InspectOutcome {
    const text = line.trimEnd();
    if (text === "" || text.startsWith("#")) return { ok: "skip" };
    const evidence = evidenceLine(text);
    if (evidence !== undefined)
      return "header" in evidence ? { ok: "skip" } : this.inspectEvidence(evidence.frame, lineNumber);
    if (this.pinKey === undefined && this.sessionKey === undefined) {
      throw new UsageError("pin", "give --pin <32 characters> or --session-key <16 characters> (or both)");
    }
    return this.inspectFrame(text, lineNumber);
  }

  /**
   * A frame from an evidence file: decoded again from its raw line when the keys allow (a check of what was
   * recorded), else its recorded body (secrets already masked). Either way with when, who saw it and which way.
   */
  private inspectEvidence(frame: EvidenceFrame, lineNumber: number): InspectOutcome {
    const about = {
      line: lineNumber,
      at: new Date(frame.at).toISOString(),
      observer: frame.observer,
      direction: frame.direction,
      deviceId: frame.deviceId,
    };
    // Each device has its own session key, learned from its own 1003.
    const ownKey = this.deviceKeys.get(frame.deviceId) ?? this.sessionKey;
    const haveKey = keyKindFor(frame.code as McCode) === "pin" ? this.pinKey : ownKey;
    if (frame.raw !== undefined && haveKey !== undefined) {
      const shared = this.sessionKey;
      this.sessionKey = ownKey;
      const decoded = this.inspectFrame(frame.raw, lineNumber);
      if (this.sessionKey !== ownKey && this.sessionKey !== undefined)
        this.deviceKeys.set(frame.deviceId, this.sessionKey);
      this.sessionKey = shared;
      if (decoded.ok === true) {
        const record = JSON.parse(decoded.json) as Record<string, unknown>;
        return { ok: true, json: JSON.stringify({ ...about, ...record, source: "raw" }) };
      }
      // Another device's frame (another PIN): what was recorded still stands.
      if (decoded.ok === false) {
        const record = { ...about, code: frame.code, name: frame.name, body: frame.body, source: "recorded" };
        return { ok: true, json: JSON.stringify({ ...record, rawNotDecoded: decoded.message }) };
      }
    }
    const record = { ...about, code: frame.code, name: frame.name, body: frame.body, source: "recorded" };
    return { ok: true, json: JSON.stringify(record) };
  }

  private inspectFrame(text: string, lineNumber: number): InspectOutcome {
    const bytes = Buffer.from(text, "utf8");
    if (bytes.length > this.maxFrameLength) {
      return {
        ok: false,
        message: `line ${lineNumber}: FRAME_TOO_LONG: ${bytes.length} bytes, limit ${this.maxFrameLength} (--max-frame-length)`,
      };
    }
    const decoded = decodeFrameLine(bytes, (envelope) => this.keyFor(envelope), this.framing);
    if (!decoded.ok) {
      const hint =
        decoded.error.code === "NO_KEY" ? this.noKeyHint(decoded.error.message) : decoded.error.message;
      return { ok: false, message: `line ${lineNumber}: ${decoded.error.code}: ${hint}` };
    }
    const { envelope, message } = decoded.value;
    if (message.code === 1003 && message.body.result === 0) {
      this.sessionKey = CipherKey.fromSessionKey(message.body.sessionKey);
    }
    const { data: _data, ...clear } = envelope;
    const record = {
      line: lineNumber,
      code: message.code,
      name: packetType(message.code).name,
      envelope: clear,
      body: message.body,
    };
    return { ok: true, json: JSON.stringify(record, this.redact ? redactSecrets : undefined) };
  }

  private keyFor(envelope: Envelope): CipherKey | undefined {
    return keyKindFor(envelope.code) === "pin" ? this.pinKey : this.sessionKey;
  }

  private noKeyHint(message: string): string {
    return this.pinKey === undefined
      ? `${message}: login frames need --pin`
      : `${message}: no session key yet; pass --session-key, or decode a capture that includes the 1003 login response`;
  }
}

function redactSecrets(this: unknown, key: string, value: unknown): unknown {
  return isSecretField(key) && typeof value === "string" ? "[redacted]" : value;
}

/** Parses `--max-frame-length`. */
export function parseFrameLength(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 16) {
    throw new UsageError(
      "max-frame-length",
      `--max-frame-length must be an integer >= 16, got ${showValue(text)}`,
    );
  }
  return n;
}
