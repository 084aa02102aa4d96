import { type CipherKey, decodeBase64, decrypt } from "../../../harness/protocol/cts/crypto.ts";
import { parseCtsJson } from "../../../harness/protocol/cts/envelope.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The JSON a LAN frame carries (unsealed with `key` when given), whatever its shape; undefined if there is none. */
function frameJson(line: Uint8Array, key: CipherKey | undefined): unknown {
  const json = parseCtsJson(line);
  if (!json.ok) return undefined;
  if (key === undefined) return json.value;
  const data = (json.value as { data?: unknown } | null)?.data;
  if (typeof data !== "string") return undefined;
  const ciphertext = decodeBase64("data", data);
  if (!ciphertext.ok) return undefined;
  const plaintext = decrypt(key, ciphertext.value);
  if (!plaintext.ok) return undefined;
  try {
    const parsed = parseJsonSafely(utf8.decode(plaintext.value));
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `mid` of a frame that decodes but breaks its message's schema (an unknown `cmd`, a missing field), so that the
 * 100001 answer names the request it answers (6.2.3, 6.2.4). Only a `mid` the schema would accept is taken.
 */
export function peekMid(line: Uint8Array, key: CipherKey | undefined): string | undefined {
  const json = frameJson(line, key);
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const mid = (json as { mid?: unknown }).mid;
  return typeof mid === "string" && mid.length >= 1 && mid.length <= 64 ? mid : undefined;
}
