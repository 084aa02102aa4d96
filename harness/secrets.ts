/** Field names whose values are secrets: never printed in clear (logs, error messages). */
export const SECRET_FIELDS: readonly string[] = [
  "pin",
  "sessionKey",
  "token",
  "apiToken",
  "lanKey",
  "appSecret",
  "bindKey",
  "password",
  "secret",
  // C (chapter 7): the platforms' keys and the tokens they exchange.
  "platformKey",
  "cloudKey",
  "access_token",
  // The lock open API: tokens, signatures, the keys that carry passwords, the clients' secrets.
  "refresh_token",
  "ticket_key",
  "sign",
  "local_key",
  // Codes that open a lock as the API answers them.
  "offline_temp_password",
  "dynamic_password",
  "secretKey",
  "clientSecret",
  // The Aqara-style open API and push: the signing key, the SDK's key, and the headers that carry them.
  "appKey",
  "sdkAppKey",
  "Accesstoken",
  "accesstoken",
];

const secretSet = new Set(SECRET_FIELDS);

export function isSecretField(name: string | number | symbol | undefined): boolean {
  return typeof name === "string" && secretSet.has(name);
}

/** What stands in a secret's place in evidence files, reports and error messages. */
export const REDACTED = "[redacted]";

/** A deep copy of `value` with every secret field's value replaced by "[redacted]" (evidence files, reports). */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretField(k) ? REDACTED : maskSecrets(v);
  return out as T;
}
