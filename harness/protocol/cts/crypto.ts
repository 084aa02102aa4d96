import { createCipheriv, createDecipheriv } from "node:crypto";
import { inspect } from "node:util";
import { excerpt, fail, ok, type Result, UsageError } from "../../errors.ts";
import { CbcContextsByKey } from "./cbc-contexts.ts";
import { type CtsWireError, ctsError } from "./errors.ts";

/**
 * AES-128-CBC with PKCS#5/#7 padding (5.2.2 item 2).
 * - login (1002/1003): key = PIN bytes 0-15, IV = PIN bytes 16-31;
 * - after login: key = IV = the 16 ASCII bytes of `sessionKey`;
 * - Md LAN frames after auth: key = IV = the 16-byte `lanKey`.
 */
export type CipherKeyKind = "pin" | "session" | "lan";

export class CipherKey {
  readonly kind: CipherKeyKind;
  readonly key: Buffer;
  readonly iv: Buffer;

  private constructor(kind: CipherKeyKind, key: Buffer, iv: Buffer) {
    this.kind = kind;
    this.key = key;
    this.iv = iv;
  }

  /** From a device PIN: 32 ASCII characters. */
  static fromPin(pin: string): CipherKey {
    const bytes = asciiBytes("pin", pin, 32);
    return new CipherKey("pin", bytes.subarray(0, 16), bytes.subarray(16, 32));
  }

  /** From the `sessionKey` of a login response: 16 ASCII characters, used as key and IV. */
  static fromSessionKey(sessionKey: string): CipherKey {
    const bytes = asciiBytes("sessionKey", sessionKey, 16);
    return new CipherKey("session", bytes, bytes);
  }

  /** From a 16-byte Md `lanKey`, used as key and IV. */
  static fromLanKey(lanKey: Uint8Array): CipherKey {
    if (lanKey.length !== 16) {
      throw new UsageError("lanKey", `lanKey must be 16 bytes, got ${lanKey.length}`);
    }
    const bytes = ownBytes(lanKey.length);
    bytes.set(lanKey);
    return new CipherKey("lan", bytes, bytes);
  }

  // Keys must never reach a log line or an error message in clear.
  toJSON(): string {
    return `[${this.kind} key]`;
  }
  [inspect.custom](): string {
    return `CipherKey(${this.kind}, [redacted])`;
  }
}

function asciiBytes(field: string, text: string, length: number): Buffer {
  // The value is a secret: name its length, never its content.
  if (typeof text !== "string" || text.length !== length || !/^[\x20-\x7e]*$/.test(text)) {
    const got = typeof text === "string" ? `${text.length} characters` : typeof text;
    throw new UsageError(field, `${field} must be ${length} printable ASCII characters, got ${got}`);
  }
  const bytes = ownBytes(length);
  bytes.write(text, "ascii");
  return bytes;
}

/**
 * Bytes in memory of their own. A small `Buffer.from` is a slice of an 8 KiB pool shared with whatever was allocated
 * beside it, and a key lives as long as its session: 100,000 sessions would keep thousands of pools alive.
 */
function ownBytes(length: number): Buffer {
  return Buffer.alloc(length);
}

/**
 * Long-lived AES contexts for the session and LAN keys of this many sessions at once (about 8.6 MiB); PIN keys, which
 * seal one login exchange per session, and keys beyond that get a context per frame.
 */
const SESSIONS_WITH_CONTEXTS = 4096;
const contexts = new CbcContextsByKey<CipherKey>(SESSIONS_WITH_CONTEXTS);
const contextsOf = (key: CipherKey) => (key.kind === "pin" ? undefined : contexts.get(key, key.key, key.iv));

export function encrypt(key: CipherKey, plaintext: Uint8Array): Buffer {
  const kept = contextsOf(key);
  if (kept !== undefined) return kept.encrypt(plaintext);
  const cipher = createCipheriv("aes-128-cbc", key.key, key.iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** Total: a wrong key, a wrong length or bad padding gives `DECRYPT_FAILED`, never a throw. */
export function decrypt(key: CipherKey, ciphertext: Uint8Array): Result<Buffer, CtsWireError> {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    return fail(
      ctsError(
        "DECRYPT_FAILED",
        `data: ciphertext of ${ciphertext.length} bytes is not a whole number of 16-byte AES blocks`,
        "data",
      ),
    );
  }
  const plaintext = decryptPadded(key, ciphertext);
  if (plaintext === undefined) {
    return fail(
      ctsError("DECRYPT_FAILED", `data: bad padding after decryption with the ${key.kind} key`, "data"),
    );
  }
  return ok(plaintext);
}

/** Undefined when the padding is bad. */
function decryptPadded(key: CipherKey, ciphertext: Uint8Array): Buffer | undefined {
  const kept = contextsOf(key);
  if (kept !== undefined) return kept.decrypt(ciphertext);
  try {
    const decipher = createDecipheriv("aes-128-cbc", key.key, key.iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

const PAD = 0x3d;

/**
 * The bytes of `text` when it is standard Base64 (groups of four, the last padded with at most two `=`), else
 * undefined. Node's decoder skips an ASCII character that is not in the alphabet and stops at a misplaced `=`, so
 * either leaves fewer bytes than the length and padding promise; what it would misread is refused first: a character
 * beyond ASCII (read by its low byte) and `-` or `_` (the URL-safe alphabet). Native scans and one decode instead of
 * a pattern over every character: `data` is most of a frame.
 */
export function strictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || Buffer.byteLength(text, "utf8") !== text.length) return undefined;
  if (text.includes("-") || text.includes("_")) return undefined;
  const padding =
    text.charCodeAt(text.length - 1) === PAD ? (text.charCodeAt(text.length - 2) === PAD ? 2 : 1) : 0;
  const bytes = Buffer.from(text, "base64");
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

/** Strict standard Base64 (Node's decoder silently skips bad characters; a conformance harness must not). */
export function decodeBase64(field: string, text: string): Result<Buffer, CtsWireError> {
  const bytes = strictBase64(text);
  if (bytes === undefined) {
    return fail(ctsError("BAD_BASE64", `${field}: not valid Base64: ${excerpt(text)}`, field));
  }
  return ok(bytes);
}
