import type { IncomingMessage } from "node:http";
import type { Clock } from "../../harness/clock/clock.ts";
import { readBoundedBody } from "../../harness/http/bounded-body.ts";
import {
  type CInterfaceId,
  type CSide,
  cInterfaceAt,
  cInterfaces,
} from "../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";

/** Bodies beyond this are refused with 413 before they are parsed. */
export const MAX_C_BODY_BYTES = 1024 * 1024;
/** A body not ended within this long (on the server's clock) is refused, and its connection ended. */
export const C_BODY_DEADLINE_MS = 30_000;

/** The socket timeouts of a C server on the real clock, behind the body deadline: handshake, headers, request. */
export const C_SERVER_TIMEOUTS = { handshakeTimeout: 10_000, headersTimeout: 10_000, requestTimeout: 60_000 };

/** An HTTP answer of a C server: a status, a JSON body, extra headers, and the interface when the path named one. */
export interface CHttpAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  id?: CInterfaceId;
}

/** A request for one of the side's interfaces, its body read; or the refusal to answer at once. */
export type CHttpRequest = { ok: true; id: CInterfaceId; body: Buffer } | { ok: false; answer: CHttpAnswer };

const refuse = (answer: CHttpAnswer): CHttpRequest => ({ ok: false, answer });

/**
 * 7.1.2: every interface is a POST of a JSON body to its path. A path that is no interface of `side` is 404, another
 * method 405, a body over `limit` 413 (read no further), a body not ended within `C_BODY_DEADLINE_MS` on `clock` 408
 * (its connection ended); the code travels in the body as every C answer's does.
 */
export async function readCRequest(
  req: IncomingMessage,
  side: CSide,
  clock: Clock,
  limit = MAX_C_BODY_BYTES,
): Promise<CHttpRequest> {
  const path = new URL(req.url ?? "/", "https://c").pathname;
  const id = cInterfaceAt(path);
  if (id === undefined || cInterfaces[id].side !== side) {
    const range = side === "smart-home" ? "C11-C18" : "C21-C31";
    return refuse({
      status: 404,
      body: { code: cResultCodes.failure, desc: `no ${range} interface at ${path}` },
    });
  }
  if (req.method !== "POST")
    return refuse({
      id,
      status: 405,
      body: { code: cResultCodes.failure, desc: `${id} takes POST (7.1.2)` },
      headers: { allow: "POST" },
    });
  const body = await readBoundedBody(req, limit, { clock, ms: C_BODY_DEADLINE_MS });
  if (body === "too-slow")
    return refuse({
      id,
      status: 408,
      body: { code: cResultCodes.failure, desc: `body not received within ${C_BODY_DEADLINE_MS} ms` },
      headers: { connection: "close" },
    });
  if (body === "too-large")
    return refuse({
      id,
      status: 413,
      body: { code: cResultCodes.failure, desc: `body over ${limit} bytes` },
      headers: { connection: "close" },
    });
  return { ok: true, id, body };
}
