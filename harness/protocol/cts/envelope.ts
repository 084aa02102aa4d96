import { z } from "zod";
import { excerpt, fail, ok, type Result, showValue, WireError } from "../../errors.ts";
import { parseJsonSafely } from "../json-safe.ts";
import {
  envelopeCarriesDeviceId,
  envelopeCarriesToken,
  isMcCode,
  type McCode,
  packetType,
} from "../mc/packet-types.ts";

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

/** The clear-text part of a frame: `code`, `deviceId` (1002 only), `token` (device frames after login), `data`. */
export interface Envelope {
  code: McCode;
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

/** Serialises in the spec's field order: code, deviceId, token, data. */
export function formatEnvelope(envelope: Envelope, framing: Framing = "cts-json"): string {
  const ordered: Envelope = {
    code: envelope.code,
    ...(envelope.deviceId === undefined ? {} : { deviceId: envelope.deviceId }),
    ...(envelope.token === undefined ? {} : { token: envelope.token }),
    data: envelope.data,
  };
  const json = JSON.stringify(ordered);
  return FRAME_PREFIX + (framing === "cts-base64" ? Buffer.from(json, "utf8").toString("base64") : json);
}

const prefixBytes = Buffer.from(FRAME_PREFIX, "ascii");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** One frame without its CRLF -> the envelope, or a typed error. Total: never throws. */
export function parseEnvelope(line: Uint8Array, framing: Framing = "cts-json"): Result<Envelope> {
  if (line.length < prefixBytes.length || !prefixBytes.equals(line.subarray(0, prefixBytes.length))) {
    return fail(new WireError("NO_PREFIX", `frame does not start with "CTS": ${excerpt(line)}`));
  }
  let text: string;
  try {
    const rest = line.subarray(prefixBytes.length);
    if (framing === "cts-base64") {
      const ascii = Buffer.from(rest).toString("latin1");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ascii) || ascii.length % 4 !== 0) {
        return fail(
          // Not excerpted: Base64 hides the secret fields that an excerpt masks.
          new WireError(
            "BAD_BASE64",
            `envelope is not valid Base64 (cts-base64): ${ascii.length} characters`,
          ),
        );
      }
      text = utf8.decode(Buffer.from(ascii, "base64"));
    } else {
      text = utf8.decode(rest);
    }
  } catch {
    return fail(new WireError("BAD_JSON", `envelope is not UTF-8 text: ${excerpt(line)}`));
  }
  const json = parseJsonSafely(text);
  if (!json.ok)
    return fail(
      new WireError(
        json.tooDeep ? "TOO_DEEP" : "BAD_JSON",
        `envelope is not JSON (${json.reason}): ${excerpt(text)}`,
      ),
    );
  const parsed = EnvelopeSchema.safeParse(json.value, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "envelope";
    const got = issue && "input" in issue ? ` (got ${showValue(issue.input)})` : "";
    return fail(
      new WireError("BAD_ENVELOPE", `envelope ${field}: ${issue?.message ?? "invalid"}${got}`, field),
    );
  }
  const { code, deviceId, token, data } = parsed.data;
  if (!isMcCode(code)) {
    return fail(new WireError("UNKNOWN_CODE", `code: ${code} is not a packet type of table 5.2.1`, "code"));
  }
  const name = packetType(code).name;
  if (envelopeCarriesDeviceId(code) && deviceId === undefined) {
    return fail(
      new WireError("BAD_ENVELOPE", `envelope deviceId: required in clear on ${code} (${name})`, "deviceId"),
    );
  }
  if (envelopeCarriesToken(code) && token === undefined) {
    return fail(
      new WireError("BAD_ENVELOPE", `envelope token: required in clear on ${code} (${name})`, "token"),
    );
  }
  const envelope: Envelope = { code, data };
  if (deviceId !== undefined) envelope.deviceId = deviceId;
  if (token !== undefined) envelope.token = token;
  return ok(envelope);
}
