import { z } from "zod";
import { fail, ok, type Result, showValue, UsageError } from "../../errors.ts";
import { safeParseReporting } from "../../schema-parse.ts";
import { isSecretField } from "../../secrets.ts";
import { type CipherKey, encrypt } from "../cts/crypto.ts";
import { FRAME_TERMINATOR, type Framing, formatCtsJson, parseCtsJson } from "../cts/envelope.ts";
import { type CtsWireError, ctsError } from "../cts/errors.ts";
import { openSealedJson } from "../cts/sealed.ts";
import { type LanMessage, LanMessageSchema } from "./messages.ts";

/**
 * A frame on the LAN control socket (6.2.2-6.2.5; docs/protocol-readings.md, "Md, the LAN interface (6)"): the
 * CTS framing of Mc. The `auth` exchange travels in clear, `CTS` + the message JSON; every frame after it is
 * `CTS{"data":"<Base64 of AES-128-CBC(message JSON)>"}` with the `lanKey` as key and IV.
 */

const Sealed = z.looseObject({ data: z.string() });

function checked(json: unknown, where: string): Result<LanMessage, CtsWireError> {
  const parsed = safeParseReporting(LanMessageSchema, json);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") || "cmd";
  const last = issue?.path[issue.path.length - 1];
  const got =
    issue && "input" in issue
      ? isSecretField(last)
        ? " (got [redacted])"
        : ` (got ${showValue(issue.input)})`
      : "";
  return fail(ctsError("BAD_BODY", `${where} ${field}: ${issue?.message ?? "invalid"}${got}`, field));
}

/** A LAN message -> a whole frame, CRLF included; in clear without a key (the auth exchange). */
export function encodeLanFrame(message: LanMessage, key: CipherKey | undefined, framing?: Framing): Buffer {
  const valid = checked(message, "LAN message");
  if (!valid.ok) throw new UsageError(valid.error.field ?? "message", valid.error.message);
  const line =
    key === undefined
      ? formatCtsJson(message, framing)
      : formatCtsJson(
          { data: encrypt(key, Buffer.from(JSON.stringify(message), "utf8")).toString("base64") },
          framing,
        );
  return Buffer.from(line + FRAME_TERMINATOR, "utf8");
}

/**
 * One frame without its CRLF -> the LAN message, or a typed error. `key` undefined: a clear frame (before and
 * during auth); a key: a sealed one. Total: never throws.
 */
export function decodeLanFrame(
  line: Uint8Array,
  key: CipherKey | undefined,
  framing?: Framing,
): Result<LanMessage, CtsWireError> {
  const json = parseCtsJson(line, framing);
  if (!json.ok) return json;
  if (key === undefined) return checked(json.value, "LAN message");
  const sealed = Sealed.safeParse(json.value);
  if (!sealed.success) {
    return fail(ctsError("BAD_ENVELOPE", "LAN frame data: required after auth (a sealed message)", "data"));
  }
  const opened = openSealedJson(sealed.data.data, key, "LAN message");
  return opened.ok ? checked(opened.value, "LAN message") : opened;
}
