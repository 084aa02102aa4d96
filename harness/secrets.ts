/** Field names whose values are secrets: never printed in clear (logs, error messages). */
export const SECRET_FIELDS: readonly string[] = [
  "pin",
  "sessionKey",
  "token",
  "lanKey",
  "appSecret",
  "bindKey",
  "password",
  "secret",
];

const secretSet = new Set(SECRET_FIELDS);

export function isSecretField(name: string | number | symbol | undefined): boolean {
  return typeof name === "string" && secretSet.has(name);
}
