import { z } from "zod";

/**
 * A push's body (seed, "Request Body parameters"): `token`, the terminal push ids (the client ids the third party
 * gave the app SDK) joined by English commas, and `data`, a String. hilfarm's reading: `data` is the JSON text of one
 * message (docs/protocol-readings.md).
 */
export const PushBodySchema = z.strictObject({
  token: z.string().min(1),
  data: z.string(),
});

export type PushBody = z.infer<typeof PushBodySchema>;

/** The body of a push of `data` to `clientIds`. */
export function pushBody(clientIds: readonly string[], data: string): PushBody {
  return { token: clientIds.join(","), data };
}

/** The client ids a push's `token` names, in order, blanks dropped. */
export function clientIdsOf(token: string): string[] {
  return token
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
}
