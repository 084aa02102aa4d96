import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { cResponse, parseCRequest, parseCRequestText } from "../../../harness/protocol/c/codec.ts";
import { CRequestError } from "../../../harness/protocol/c/errors.ts";
import { type CInterfaceId, cInterfaces } from "../../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../../harness/protocol/c/result-codes.ts";
import {
  checkToken,
  issueToken,
  type TokenSource,
  type TokenState,
} from "../../../harness/protocol/c/token.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { MAX_C_BODY_BYTES, readCRequest } from "../../interop/c-http.ts";
import { applyNotification, type NotifyDeps, type NotifyId } from "./notifications.ts";

/** Bodies beyond this are refused with 413 before they are parsed. */
export const MAX_NOTIFY_BODY_BYTES = MAX_C_BODY_BYTES;

export interface NotifyServerDeps extends NotifyDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Draws the C11 tokens (the platform's `secretRandom`). */
  readonly tokenSource: TokenSource;
  /** The token state: C11 replaces it, C12-C18 read it. */
  tokens: TokenState;
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/** A refusal in the body with HTTP 200: 7.3.1.9's codes travel in `code`, `desc` naming the field at fault. */
function refused(id: CInterfaceId, error: CRequestError): Answer {
  return { status: 200, body: cResponse(id, error.resultCode, { desc: error.message }) };
}

/** 7.3.1.1: a token for the credentials exchanged offline; others are 1002 on `platformKey` (the readings). */
function answerToken(text: Buffer, deps: NotifyServerDeps): Answer {
  const request = parseCRequestText("C11", text);
  if (!request.ok) return refused("C11", request.error);
  const { platformId, platformKey } = request.value;
  const issued = issueToken(deps.tokens, platformId, platformKey, deps.clock.now(), deps.tokenSource);
  if (!issued.ok) return refused("C11", issued.error);
  deps.tokens = issued.value.state;
  const { access_token, expiredAt } = issued.value;
  return { status: 200, body: cResponse("C11", 0, { access_token, expiredAt }) };
}

/**
 * C12-C18: a token first (1001 when it is missing, unknown, replaced or expired), then the body against the
 * interface's table (1002 naming the field), then the device (1003).
 */
function answerNotification(id: NotifyId, text: Buffer, deps: NotifyServerDeps): Answer {
  const json = parseJsonSafely(text.toString("utf8"));
  if (!json.ok) {
    // Not JSON: 1002 on `body`, as the codec words it.
    const parsed = parseCRequestText(id, text);
    return refused(id, parsed.ok ? missingToken() : parsed.error);
  }
  if (typeof json.value !== "object" || json.value === null || Array.isArray(json.value)) {
    const parsed = parseCRequest(id, json.value);
    return refused(id, parsed.ok ? missingToken() : parsed.error);
  }
  const token = (json.value as { access_token?: unknown }).access_token;
  if (typeof token !== "string" || token === "") return refused(id, missingToken());
  const valid = checkToken(deps.tokens, token, deps.clock.now());
  if (!valid.ok) return refused(id, valid.error);
  const request = parseCRequest(id, json.value);
  if (!request.ok) return refused(id, request.error);
  const unknownDevice = applyNotification(id, request.value, deps);
  if (unknownDevice !== undefined) return refused(id, unknownDevice);
  return { status: 200, body: cResponse(id, 0, {}) };
}

const missingToken = () =>
  new CRequestError(
    "TOKEN_INVALID",
    "access_token: missing (take one with C11, /notify/token)",
    "access_token",
  );

const isNotifyId = (id: CInterfaceId): id is NotifyId =>
  id !== "C11" && cInterfaces[id].side === "smart-home";

async function answer(req: IncomingMessage, deps: NotifyServerDeps): Promise<Answer & { id?: CInterfaceId }> {
  const request = await readCRequest(req, "smart-home", deps.clock, MAX_NOTIFY_BODY_BYTES);
  if (!request.ok) return request.answer;
  const { id, body: text } = request;
  if (id === "C11") return { id, ...answerToken(text, deps) };
  if (!isNotifyId(id)) throw new Error(`${id} is not served here`);
  return { id, ...answerNotification(id, text, deps) };
}

/**
 * The request listener of the C11-C18 server (7.3.1): POST JSON in, JSON out. Logs name the interface and the
 * code, never a body: C11 carries `platformKey`, every other request a token.
 */
export function notifyListener(deps: NotifyServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const send = (res: ServerResponse, a: Answer & { id?: CInterfaceId }): void => {
    deps.logger.debug({ interface: a.id, status: a.status, code: a.body.code }, "c-notify answer");
    if (res.headersSent || res.destroyed) return;
    res.writeHead(a.status, { "content-type": "application/json; charset=utf-8", ...a.headers });
    res.end(JSON.stringify(a.body));
  };
  const failed = (error: unknown): Answer => {
    const reason = error instanceof Error ? error.message : String(error);
    deps.logger.warn({ reason }, "c-notify: request failed");
    // 7.3.1.9: 9999, system failure, in the body as every code.
    return { status: 200, body: { code: cResultCodes.failure, desc: "system failure" } };
  };
  return (req, res) => {
    void answer(req, deps).then(
      (a) => send(res, a),
      (error: unknown) => send(res, failed(error)),
    );
  };
}
