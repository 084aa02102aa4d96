/**
 * The header a farm sends to a platform's northbound API: `Authorization: Bearer $HILFARM_API_TOKEN` when that is
 * set (hilfarm's platform requires a token whenever its API listens beyond loopback), none otherwise.
 */
export function apiAuthorization(token = process.env.HILFARM_API_TOKEN): Record<string, string> {
  return token === undefined || token === "" ? {} : { authorization: `Bearer ${token}` };
}
