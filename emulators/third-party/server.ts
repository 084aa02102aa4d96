import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../harness/clock/index.ts";
import type { Logger } from "../../harness/log/index.ts";
import type { CInterfaceId } from "../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";
import { MAX_C_BODY_BYTES, readCRequest } from "../interop/c-http.ts";
import type { CallId } from "./answers.ts";

/** Bodies beyond this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = MAX_C_BODY_BYTES;

export interface ListenerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The state machine's answer to one request (C21-C31). */
  answer(id: "C21" | CallId, text: string): Record<string, unknown>;
  /** `slowAnswersMs` as it is now: each answer is held that long on the clock. */
  holdMs(): number;
  /** Answers held and not yet written: cancelled on close. */
  readonly held: Set<{ cancel(): void }>;
}

type Reply = {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  id?: CInterfaceId;
};

async function reply(req: IncomingMessage, deps: ListenerDeps): Promise<Reply> {
  const request = await readCRequest(req, "third-party", deps.clock, MAX_BODY_BYTES);
  if (!request.ok) return request.answer;
  // 7.3.2.12: every code, failures too, travels in the body of an HTTP 200.
  const { id, body } = request;
  return { id, status: 200, body: deps.answer(id as "C21" | CallId, body.toString("utf8")) };
}

/**
 * The request listener of the C21-C31 server (7.3.2): POST JSON in, JSON out. Logs name the interface and the code,
 * never a body (C21 carries `cloudKey`, every other request a token).
 */
export function thirdPartyListener(deps: ListenerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const write = (res: ServerResponse, r: Reply) => {
    deps.logger.debug({ interface: r.id, status: r.status, code: r.body.code }, "third party answer");
    if (res.headersSent || res.destroyed) return;
    res.writeHead(r.status, { "content-type": "application/json; charset=utf-8", ...r.headers });
    res.end(JSON.stringify(r.body));
  };
  const send = (res: ServerResponse, r: Reply) => {
    const hold = deps.holdMs();
    if (hold <= 0) return write(res, r);
    // slowAnswersMs (misbehaviour): the answer waits on the clock.
    const timer = deps.clock.setTimeout(
      () => {
        deps.held.delete(timer);
        write(res, r);
      },
      hold,
      "third-party-slow-answer",
    );
    deps.held.add(timer);
  };
  return (req, res) => {
    void reply(req, deps).then(
      (r) => send(res, r),
      (error: unknown) => {
        deps.logger.warn(
          { reason: error instanceof Error ? error.message : String(error) },
          "third party: request failed",
        );
        // 7.3.2.12: 9999, system failure.
        write(res, { status: 200, body: { code: cResultCodes.failure, desc: "system failure" } });
      },
    );
  };
}
