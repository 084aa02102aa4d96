import { createCipheriv, createDecipheriv } from "node:crypto";
import { fail, ok, type Result, UsageError } from "../../errors.ts";
import { badParameter, LockApiError } from "./errors.ts";

/**
 * Password encryption (seed, "Create a temporary password": `password`, and "Get a temporary key": `ticket_key`):
 * - `ticket_key` is the ticket's key encrypted with AES under the client's secret ("the accessKey that is issued by
 *   the platform", the vendor's Access Secret): AES-256-ECB with the 32 characters of the secret as the key, PKCS7,
 *   written as uppercase hex (the seed's sample is uppercase hex).
 * - The ticket's key is 16 characters: the AES-128 key of the password.
 * - `password` is the digits encrypted AES-128-ECB, PKCS7 ("PKCS7Padding"), under the ticket's key, written as hex
 *   ("The output format is hex"); hilfarm writes uppercase and reads either case.
 * - The length of the original password: 7 digits for a Wi-Fi lock, 6 for Zigbee and Bluetooth locks (and 6 for the
 *   Zigbee-only "Unlock with a password" and "Set an advanced password").
 */

/** The lock kinds of the seed's "Applicable categories", by how they are reached. */
export type LockKind = "wifi" | "zigbee" | "bluetooth";

export const passwordDigits: Readonly<Record<LockKind, number>> = { wifi: 7, zigbee: 6, bluetooth: 6 };

/** The length of a ticket's key: 16 bytes, an AES-128 key. */
export const TICKET_KEY_LENGTH = 16;
const SECRET_LENGTH = 32;

function aesKey(field: string, text: string, length: number): Buffer {
  const key = Buffer.from(text, "utf8");
  if (key.length !== length)
    throw new UsageError(
      field,
      `${field}: expected ${length} bytes (an AES-${length * 8} key), got ${key.length}`,
    );
  return key;
}

function ecbEncrypt(plain: string, key: Buffer): string {
  const cipher = createCipheriv(key.length === 32 ? "aes-256-ecb" : "aes-128-ecb", key, null);
  return Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
    .toString("hex")
    .toUpperCase();
}

/** Decrypts hex; `undefined` when the text is not whole AES blocks of hex or the padding is wrong. */
function ecbDecrypt(hex: string, key: Buffer): Buffer | undefined {
  if (!/^(?:[0-9a-fA-F]{32})+$/.test(hex)) return undefined;
  try {
    const decipher = createDecipheriv(key.length === 32 ? "aes-256-ecb" : "aes-128-ecb", key, null);
    return Buffer.concat([decipher.update(Buffer.from(hex, "hex")), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The `ticket_key` of a ticket: its 16-character key under the client's 32-character secret (AES-256-ECB, hex). */
export function encryptTicketKey(ticketKey: string, secret: string): string {
  aesKey("ticketKey", ticketKey, TICKET_KEY_LENGTH);
  return ecbEncrypt(ticketKey, aesKey("secret", secret, SECRET_LENGTH));
}

/** A caller's step 1: the ticket's key from the `ticket_key` answered, or an error when it does not decrypt. */
export function decryptTicketKey(ticketKeyHex: string, secret: string): Result<string, LockApiError> {
  const plain = ecbDecrypt(ticketKeyHex, aesKey("secret", secret, SECRET_LENGTH));
  if (plain === undefined || plain.length !== TICKET_KEY_LENGTH)
    return fail(
      badParameter("ticket_key", "hex of a 16-byte key encrypted with the client secret", ticketKeyHex),
    );
  return ok(plain.toString("utf8"));
}

/** A caller's step 2: the `password` field, the digits AES-128-ECB under the ticket's key, uppercase hex. */
export function encryptPassword(password: string, ticketKey: string): string {
  return ecbEncrypt(password, aesKey("ticketKey", ticketKey, TICKET_KEY_LENGTH));
}

/**
 * The server's reading of a `password` field: the plain digits, or 1109 on `password` (not hex of whole blocks, does
 * not decrypt under the ticket, not digits), or 1101 when the digit count does not fit `kind`. The value is never
 * shown.
 */
export function decryptPassword(
  passwordHex: string,
  ticketKey: string,
  kind?: LockKind,
): Result<string, LockApiError> {
  const plain = ecbDecrypt(passwordHex, aesKey("ticketKey", ticketKey, TICKET_KEY_LENGTH));
  if (plain === undefined)
    return fail(
      badParameter("password", "hex of AES-128-ECB blocks that decrypt under the ticket's key", passwordHex),
    );
  const digits = plain.toString("utf8");
  if (!/^\d+$/.test(digits)) return fail(badParameter("password", "digits once decrypted", digits));
  if (kind !== undefined) {
    const refused = checkPasswordDigits(digits, kind);
    if (refused !== undefined) return fail(refused);
  }
  return ok(digits);
}

/** 1101 when `password` (plain digits) does not have the digit count of `kind`; undefined when it does. */
export function checkPasswordDigits(password: string, kind: LockKind): LockApiError | undefined {
  const want = passwordDigits[kind];
  if (password.length === want) return undefined;
  return new LockApiError(
    "passwordDigitsWrong",
    `password: expected ${want} digits for a ${kind} lock (got ${password.length} digits)`,
    "password",
    "[redacted]",
  );
}
