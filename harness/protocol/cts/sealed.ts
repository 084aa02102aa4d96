import { fail, ok, type Result } from "../../errors.ts";
import { parseJsonSafely } from "../json-safe.ts";
import { utf8Text } from "../utf8-text.ts";
import { type CipherKey, decodeBase64, decrypt } from "./crypto.ts";
import { type CtsWireError, ctsError } from "./errors.ts";

/**
 * A sealed `data` field -> the JSON object it carries: Base64, then AES-128-CBC, then UTF-8 JSON (5.2.2). `what`
 * names the content in errors (`body of 2005`, `LAN message`). Total: never throws.
 */
export function openSealedJson(
  data: string,
  key: CipherKey,
  what: string,
): Result<Record<string, unknown>, CtsWireError> {
  const ciphertext = decodeBase64("data", data);
  if (!ciphertext.ok) return ciphertext;
  const plaintext = decrypt(key, ciphertext.value);
  if (!plaintext.ok) return plaintext;
  const text = utf8Text(plaintext.value);
  if (text === undefined)
    return fail(ctsError("BAD_BODY_JSON", `data: decrypted ${what} is not UTF-8`, "data"));
  const parsed = parseJsonSafely(text);
  if (!parsed.ok) {
    return fail(
      ctsError(
        parsed.tooDeep ? "TOO_DEEP" : "BAD_BODY_JSON",
        `data: decrypted ${what} is not JSON (${parsed.reason})`,
        "data",
      ),
    );
  }
  const json = parsed.value;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail(ctsError("BAD_BODY_JSON", `data: decrypted ${what} is not a JSON object`, "data"));
  }
  return ok(json as Record<string, unknown>);
}
