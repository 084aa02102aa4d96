import type { PushBody } from "../../harness/protocol/aqara/index.ts";

/** How the receiver answered: the documented success, a refusal in the same envelope, or a misbehaviour. */
export type PushAnswerKind = "success" | "refusal" | "abnormal" | "fail500" | "none";

/**
 * One line of the receiver's record (JSON lines), for every request that reached it: what came (headers, body), what
 * the receiver made of it (`verdict`, `code`, `reason`, `field`) and what it answered. The app secret never appears:
 * any occurrence of it in a header or the body is written `[redacted]`.
 */
export interface PushRecord {
  event: "push";
  /** 1, 2, ... in the order the requests' bodies were read. */
  seq: number;
  /** ms since 1970 on the receiver's clock. */
  receivedAt: number;
  method: string;
  path: string;
  /** Every request header (names lowercased), each value cut at 512 characters. */
  headers: Record<string, string>;
  verdict: "accepted" | "refused";
  /** 0 accepted, else the refusal's code (302, 303, 901-904). */
  code: number;
  reason?: string;
  /** The header or body field to blame. */
  field?: string;
  answer: { kind: PushAnswerKind; status: number | null; delayMs: number };
  /** Body size in bytes, when it was read whole. */
  bytes?: number;
  body?: PushBody;
  clientIds?: string[];
  /** The start of a body that is not a push body. */
  bodyExcerpt?: string;
}

const MAX_HEADER_VALUE = 512;
const EXCERPT = 200;

export const REDACTED = "[redacted]";

/** `text` with every occurrence of `secret` replaced (nothing when there is no secret). */
export function redact(text: string, secret: string | undefined): string {
  return secret === undefined || secret === "" ? text : text.split(secret).join(REDACTED);
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The headers as recorded: strings (repeated ones joined with ", "), cut, the secret redacted. */
export function recordedHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  secret: string | undefined,
): Record<string, string> {
  // fromEntries: a header named `__proto__` stays an own field, never the object's prototype.
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | readonly string[]] => entry[1] !== undefined)
      .map(([name, value]) => {
        const text = typeof value === "string" ? value : value.join(", ");
        return [name, redact(cut(text, MAX_HEADER_VALUE), secret)];
      }),
  );
}

/** The start of a body that is not a push body, the secret redacted. */
export function bodyExcerpt(text: string, secret: string | undefined): string {
  return redact(cut(text, EXCERPT), secret);
}
