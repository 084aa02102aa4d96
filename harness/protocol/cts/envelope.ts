import { z } from "zod";
import { excerpt, fail, ok, type Result, showValue } from "../../errors.ts";
import { passesSchema, safeParseReporting } from "../../schema-parse.ts";
import { parseJsonSafely } from "../json-safe.ts";
import { utf8Text } from "../utf8-text.ts";
import { strictBase64 } from "./crypto.ts";
import { type CtsWireError, ctsError } from "./errors.ts";
import type { PacketTable } from "./packet-table.ts";

/**
 * The framing dialect (docs/protocol-readings.md, "Framing (5.2)"):
 * - `cts-json` (default): `CTS` + the envelope JSON + CRLF;
 * - `cts-base64`: `CTS` + Base64 of the envelope JSON + CRLF.
 */
export type Framing = "cts-json" | "cts-base64";
export const framings: readonly Framing[] = ["cts-json", "cts-base64"];

export const FRAME_PREFIX = "CTS";
export const FRAME_TERMINATOR = "\r\n";
/** Default maximum frame length in bytes, CRLF excluded; voice frames need more, so it is an option. */
export const DEFAULT_MAX_FRAME_LENGTH = 64 * 1024;

/**
 * The clear-text part of a frame: `code`, `deviceId` and `token` where the interface's packet table puts them in
 * clear (Mc: `deviceId` on 1002 only, `token` on device frames after login), and `data`.
 */
export interface CtsEnvelope<Code extends number = number> {
  code: Code;
  deviceId?: string;
  token?: string;
  /** Base64 of the AES ciphertext of the body JSON. */
  data: string;
}

const EnvelopeSchema = z.looseObject({
  code: z.number().int(),
  deviceId: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  data: z.string(),
});

/** The clear fields before `data`, in the spec's order: code, deviceId, token. */
function clearFields(envelope: CtsEnvelope): Pick<CtsEnvelope, "code"> & Partial<CtsEnvelope> {
  // Fields set one by one in that order (JSON.stringify keeps it), without a spread's object per field.
  const ordered: Pick<CtsEnvelope, "code"> & Partial<CtsEnvelope> = { code: envelope.code };
  if (envelope.deviceId !== undefined) ordered.deviceId = envelope.deviceId;
  if (envelope.token !== undefined) ordered.token = envelope.token;
  return ordered;
}

/** Serialises in the spec's field order: code, deviceId, token, data. */
export function formatEnvelope(envelope: CtsEnvelope, framing: Framing = "cts-json"): string {
  const ordered = clearFields(envelope);
  ordered.data = envelope.data;
  return formatCtsJson(ordered, framing);
}

/**
 * `formatEnvelope` of an envelope whose `data` is Base64 made by this codec (`sealBody`). No Base64 character needs
 * escaping in JSON, so `data`, most of a frame, is appended as it is: JSON.stringify would read it character by
 * character. The same text, field order included.
 */
export function formatSealedEnvelope(envelope: CtsEnvelope, framing: Framing = "cts-json"): string {
  if (framing !== "cts-json") return formatEnvelope(envelope, framing);
  return `${sealedHead(envelope)}${envelope.data}${SEALED_END}`;
}

/**
 * `formatSealedEnvelope(envelope) + CRLF` in `cts-json` as bytes, each part written into the frame's buffer: the
 * frame's text is never made whole (`Buffer.from` of joined text makes it whole first, one more copy of `data`).
 */
export function sealedFrameBytes(envelope: CtsEnvelope): Buffer {
  const head = sealedHead(envelope);
  const headLength = Buffer.byteLength(head, "utf8");
  const dataEnd = headLength + envelope.data.length;
  const frame = Buffer.allocUnsafe(dataEnd + SEALED_FRAME_END.length);
  frame.write(head, 0, "utf8");
  // Base64: one byte per character.
  frame.write(envelope.data, headLength, "latin1");
  frame.write(SEALED_FRAME_END, dataEnd, "latin1");
  return frame;
}

const SEALED_END = '"}';
const SEALED_FRAME_END = SEALED_END + FRAME_TERMINATOR;

/** A `cts-json` frame up to `data`'s value: `CTS{"code":…` with the clear fields in the spec's order, then `,"data":"`. */
function sealedHead(envelope: CtsEnvelope): string {
  let head = `${FRAME_PREFIX}{"code":${JSON.stringify(envelope.code)}`;
  if (envelope.deviceId !== undefined) head += `,"deviceId":${JSON.stringify(envelope.deviceId)}`;
  if (envelope.token !== undefined) head += `,"token":${JSON.stringify(envelope.token)}`;
  return `${head},"data":"`;
}

/** `CTS` + a JSON value (or its Base64 in `cts-base64`), CRLF not included: the line every CTS interface sends. */
export function formatCtsJson(value: unknown, framing: Framing = "cts-json"): string {
  const json = JSON.stringify(value);
  return FRAME_PREFIX + (framing === "cts-base64" ? Buffer.from(json, "utf8").toString("base64") : json);
}

const prefixBytes = Buffer.from(FRAME_PREFIX, "ascii");

/**
 * One frame without its CRLF -> the JSON value after `CTS`, or a typed error: the part of the framing every CTS
 * interface shares. Total: never throws.
 */
export function parseCtsJson(line: Uint8Array, framing: Framing = "cts-json"): Result<unknown, CtsWireError> {
  if (line.length < prefixBytes.length || !prefixBytes.equals(line.subarray(0, prefixBytes.length))) {
    return fail(ctsError("NO_PREFIX", `frame does not start with "CTS": ${excerpt(line)}`));
  }
  let text: string | undefined;
  if (framing === "cts-base64") {
    const ascii = Buffer.from(line.subarray(prefixBytes.length)).toString("latin1");
    const envelope = strictBase64(ascii);
    if (envelope === undefined) {
      return fail(
        // Not excerpted: Base64 hides the secret fields that an excerpt masks.
        ctsError("BAD_BASE64", `envelope is not valid Base64 (cts-base64): ${ascii.length} characters`),
      );
    }
    text = utf8Text(envelope);
  } else {
    text = utf8Text(line, prefixBytes.length);
  }
  if (text === undefined) return fail(ctsError("BAD_JSON", `envelope is not UTF-8 text: ${excerpt(line)}`));
  const json = parseJsonSafely(text);
  if (!json.ok)
    return fail(
      ctsError(
        json.tooDeep ? "TOO_DEEP" : "BAD_JSON",
        `envelope is not JSON (${json.reason}): ${excerpt(text)}`,
      ),
    );
  return ok(json.value);
}

/** One frame without its CRLF -> the envelope of a code of `table`, or a typed error. Total: never throws. */
export function parseCtsEnvelope<Code extends number>(
  line: Uint8Array,
  table: PacketTable<Code>,
  framing: Framing = "cts-json",
): Result<CtsEnvelope<Code>, CtsWireError> {
  const json = parseCtsJson(line, framing);
  if (!json.ok) return json;
  // Checked without zod's copy where it passes: the envelope below is built from the value's own fields.
  let fields = json.value as z.output<typeof EnvelopeSchema>;
  if (!passesSchema(EnvelopeSchema, json.value)) {
    const parsed = safeParseReporting(EnvelopeSchema, json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "envelope";
      const got = issue && "input" in issue ? ` (got ${showValue(issue.input)})` : "";
      return fail(ctsError("BAD_ENVELOPE", `envelope ${field}: ${issue?.message ?? "invalid"}${got}`, field));
    }
    fields = parsed.data;
  }
  const { code, deviceId, token, data } = fields;
  if (!table.isCode(code)) {
    return fail(
      ctsError("UNKNOWN_CODE", `code: ${code} is not a packet type of ${table.description}`, "code"),
    );
  }
  const name = table.nameOf(code);
  if (table.carriesDeviceId(code) && deviceId === undefined) {
    return fail(
      ctsError("BAD_ENVELOPE", `envelope deviceId: required in clear on ${code} (${name})`, "deviceId"),
    );
  }
  if (table.carriesToken(code) && token === undefined) {
    return fail(ctsError("BAD_ENVELOPE", `envelope token: required in clear on ${code} (${name})`, "token"));
  }
  const envelope: CtsEnvelope<Code> = { code, data };
  if (deviceId !== undefined) envelope.deviceId = deviceId;
  if (token !== undefined) envelope.token = token;
  return ok(envelope);
}
