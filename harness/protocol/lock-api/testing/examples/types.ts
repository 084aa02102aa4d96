import type { LockEndpointId } from "../../endpoints.ts";

/** One example of a lock-API request or answer, as the seed prints it (see `../examples.ts`). */

export interface RequestExample {
  id: LockEndpointId;
  /** The seed line of the sample request (`METHOD path`), or of the table the example is written from. */
  line: number;
  source?: "table";
  method: string;
  /** The path and query as the seed prints them. */
  path: string;
  /** The JSON body the seed prints after the request line. */
  body?: unknown;
  /** What the schemas refuse in the seed's example as it is: fields, "body", or "route" (no endpoint, or another). */
  refused?: readonly string[];
  /** What is sent instead where the seed's example cannot be sent as it is, and why. */
  sent?: { method?: string; path?: string; body?: unknown; quirk?: string };
}

export interface ResponseExample {
  id: LockEndpointId;
  /** The seed line where the example's JSON opens, or of the table it is written from. */
  line: number;
  source?: "table";
  /** The whole answer as the seed prints it (repaired where `malformed`). */
  body: Record<string, unknown>;
  /** The seed's text is not JSON: `body` is its repair (`quirk` says what). */
  malformed?: boolean;
  /** "body": the example is the result itself, with no envelope. */
  result?: "body";
  quirk?: string;
}
