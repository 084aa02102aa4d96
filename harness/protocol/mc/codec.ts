import { excerpt, fail, ok, type Result, showValue, UsageError } from "../../errors.ts";
import { passesSchema, safeParseReporting } from "../../schema-parse.ts";
import { isSecretField } from "../../secrets.ts";
import { type CipherKey, encrypt } from "../cts/crypto.ts";
import { FRAME_TERMINATOR, type Framing, formatSealedEnvelope, sealedFrameBytes } from "../cts/envelope.ts";
import { ctsError } from "../cts/errors.ts";
import { openSealedJson } from "../cts/sealed.ts";
import { refusalOfJsonText } from "../json-safe.ts";
import { type Envelope, parseEnvelope } from "./envelope.ts";
import { envelopeCarriesDeviceId, envelopeCarriesToken, type McCode, packetType } from "./packet-types.ts";
import { bodySchemas, type McMessage } from "./schemas/index.ts";

/**
 * The staged Mc codec: frame line -> envelope (clear) -> body (decrypted, checked against its schema).
 * Decoding is total and returns typed errors; encoding throws `UsageError` on a caller's mistake.
 */

interface SchemaIssue {
  path: PropertyKey[];
  message: string;
  input?: unknown;
}

function describeIssue(code: McCode, issue: SchemaIssue | undefined): { field: string; text: string } {
  const field = issue?.path.map(String).join(".") || "body";
  const last = issue?.path[issue.path.length - 1];
  let got = "";
  if (issue && "input" in issue) {
    got = isSecretField(last) ? " (got [redacted])" : ` (got ${showValue(issue.input)})`;
  }
  return {
    field,
    text: `${code} ${packetType(code).name} body ${field}: ${issue?.message ?? "invalid"}${got}`,
  };
}

/**
 * Checks a decrypted JSON value against the body schema of `code`. The body is the value itself, not zod's copy of
 * it: the body schemas are loose objects without transforms, so the copy would hold the same fields (known ones
 * moved first); the value, fresh from `JSON.parse`, keeps the order the sender wrote.
 */
export function parseBody(code: McCode, json: unknown): Result<McMessage> {
  const schema = bodySchemas[code];
  if (passesSchema(schema, json)) return ok({ code, body: json } as McMessage);
  const parsed = safeParseReporting(schema, json);
  if (!parsed.success) {
    const { field, text } = describeIssue(code, parsed.error.issues[0]);
    return fail(ctsError("BAD_BODY", text, field));
  }
  return ok({ code, body: parsed.data } as McMessage);
}

/** Base64 -> AES -> JSON -> schema. */
export function openEnvelope(envelope: Envelope, key: CipherKey): Result<McMessage> {
  const json = openSealedJson(envelope.data, key, `body of ${envelope.code}`);
  return json.ok ? parseBody(envelope.code, json.value) : json;
}

/** Encrypts a body into the envelope's `data` (Base64 of AES ciphertext). Validates the body first. */
export function sealBody(message: McMessage, key: CipherKey): string {
  const checked = parseBody(message.code, message.body);
  if (!checked.ok) throw new UsageError(checked.error.field ?? "body", checked.error.message);
  const json = JSON.stringify(message.body);
  const refusal = refusalOfJsonText(json);
  if (refusal !== undefined) throw new UsageError("body", `${message.code} body: ${refusal}`);
  return encrypt(key, Buffer.from(json, "utf8")).toString("base64");
}

export interface EncodeOptions {
  /** The PIN key for 1002/1003, the session key for everything else. */
  key: CipherKey;
  framing?: Framing;
  /** Required on device-sent frames after login (1000, 1004, 2002, 2006, ...). */
  token?: string;
  /** Clear-text device id of a 1002; defaults to the body's `deviceId`. */
  deviceId?: string;
}

/** The envelope of a message, clear-text fields set by the rules of 5.4.2 and 5.4.3. */
export function envelopeFor(message: McMessage, options: EncodeOptions): Envelope {
  const envelope: Envelope = { code: message.code, data: sealBody(message, options.key) };
  if (envelopeCarriesDeviceId(message.code)) {
    envelope.deviceId = options.deviceId ?? (message.body as { deviceId: string }).deviceId;
  }
  if (envelopeCarriesToken(message.code)) {
    if (options.token === undefined) {
      throw new UsageError(
        "token",
        `token is required to encode ${message.code} (${packetType(message.code).name})`,
      );
    }
    envelope.token = options.token;
  }
  return envelope;
}

/**
 * A whole frame as text, CRLF included. A frame kept for a long time (an answer stored for retransmissions) is kept
 * this way: a small `Buffer` is a view into an 8 KiB pool that stays allocated while any view into it lives.
 */
export function encodeFrameText(message: McMessage, options: EncodeOptions): string {
  return formatSealedEnvelope(envelopeFor(message, options), options.framing) + FRAME_TERMINATOR;
}

/** A whole frame, CRLF included, ready for a TCP stream or a UDP datagram. */
export function encodeFrame(message: McMessage, options: EncodeOptions): Buffer {
  if ((options.framing ?? "cts-json") === "cts-json") return sealedFrameBytes(envelopeFor(message, options));
  return Buffer.from(encodeFrameText(message, options), "utf8");
}

export interface DecodedFrame {
  envelope: Envelope;
  message: McMessage;
}

/** Chooses the key for a frame from its clear envelope (e.g. the PIN of the `deviceId` of a 1002). */
export type KeyResolver = (envelope: Envelope) => CipherKey | undefined;

/** One frame line (no CRLF) -> envelope and message. */
export function decodeFrameLine(
  line: Uint8Array,
  keyFor: KeyResolver,
  framing?: Framing,
): Result<DecodedFrame> {
  const envelope = parseEnvelope(line, framing);
  if (!envelope.ok) return envelope;
  const key = keyFor(envelope.value);
  if (key === undefined) {
    const who =
      envelope.value.deviceId === undefined ? "" : ` for device ${excerpt(envelope.value.deviceId)}`;
    return fail(ctsError("NO_KEY", `no key to decrypt ${envelope.value.code}${who}`));
  }
  const message = openEnvelope(envelope.value, key);
  if (!message.ok) return message;
  return ok({ envelope: envelope.value, message: message.value });
}
