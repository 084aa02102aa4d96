import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Clock } from "../../../harness/clock/clock.ts";
import { readBoundedBody } from "../../../harness/http/bounded-body.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { matchLockEndpoint } from "../../../harness/protocol/lock-api/endpoints.ts";
import { failureEnvelope, successEnvelope } from "../../../harness/protocol/lock-api/envelope.ts";
import { badParameter, LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import {
  checkAccessToken,
  grantLockToken,
  type LockTokenState,
  refreshLockToken,
} from "../../../harness/protocol/lock-api/token.ts";
import { verifySignature } from "../../../harness/protocol/lock-api/verify.ts";
import { safeParseReporting } from "../../../harness/schema-parse.ts";
import type { LockApiDeps, LockHandlers } from "./lock-call.ts";
import { checkLockType } from "./lock-types.ts";

/** Bodies beyond this are refused before they are parsed. */
export const MAX_LOCK_API_BODY_BYTES = 1024 * 1024;
/** A body not received within this long ends its request. */
const BODY_DEADLINE_MS = 30_000;

export interface LockServerDeps extends LockApiDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** `client_id` -> its secret. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly toleranceMs: number;
  readonly handlers: LockHandlers;
  tokens: LockTokenState;
}

const TOKEN_PATH = "/v1.0/token";

/** The first issue of a schema's check as the API's 1109, naming the field (and `where` it was). */
function parsed<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = safeParseReporting(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || where;
  throw badParameter(
    field,
    issue?.message ?? "a valid value",
    issue && "input" in issue ? issue.input : value,
  );
}

/** The request target as a URL: a path (`//x` is a path too, not a host), else 1108. */
function requestUrl(target: string): URL {
  try {
    if (target.startsWith("/")) return new URL(`http://lock-api${target}`);
  } catch {
    // Not a URL's path: refused below.
  }
  throw new LockApiError("uriPathInvalid", `request target ${JSON.stringify(target.slice(0, 80))}`, "path");
}

/** `GET /v1.0/token?grant_type=1` and `GET /v1.0/token/{refresh_token}`: signed without a token. */
function answerToken(path: string, url: URL, clientId: string, deps: LockServerDeps): unknown {
  const now = deps.clock.now();
  if (path === TOKEN_PATH) {
    const grantType = url.searchParams.get("grant_type");
    if (grantType !== "1")
      throw new LockApiError("grantTypeInvalid", `grant_type: ${JSON.stringify(grantType)}`, "grant_type");
    const issued = grantLockToken(deps.tokens, { clientId, uid: `hilfarm-${clientId}` }, now, deps.random);
    deps.tokens = issued.state;
    return issued.answer;
  }
  const refreshed = refreshLockToken(
    deps.tokens,
    clientId,
    decodeURIComponent(path.slice(TOKEN_PATH.length + 1)),
    now,
    deps.random,
  );
  if (!refreshed.ok) throw refreshed.error;
  deps.tokens = refreshed.value.state;
  return refreshed.value.answer;
}

async function answer(req: IncomingMessage, deps: LockServerDeps): Promise<unknown> {
  const body = await readBoundedBody(req, MAX_LOCK_API_BODY_BYTES, {
    clock: deps.clock,
    ms: BODY_DEADLINE_MS,
  });
  if (body === "too-large" || body === "too-slow")
    throw new LockApiError(
      "paramIllegal",
      body === "too-large" ? `body over ${MAX_LOCK_API_BODY_BYTES} bytes` : "body not received in time",
      "body",
    );
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  const now = deps.clock.now();
  const verified = verifySignature(
    { method, target, headers: req.headers, body },
    (clientId) => deps.secrets.get(clientId),
    now,
    { toleranceMs: deps.toleranceMs },
  );
  if (!verified.ok) throw verified.error;
  const { clientId, accessToken } = verified.value;
  const url = requestUrl(target);
  const path = url.pathname;
  if (method === "GET" && (path === TOKEN_PATH || path.startsWith(`${TOKEN_PATH}/`)))
    return answerToken(path, url, clientId, deps);
  const token = checkAccessToken(deps.tokens, clientId, accessToken, now);
  if (!token.ok) throw token.error;
  const match = matchLockEndpoint(method, target);
  if (match === undefined) throw new LockApiError("uriPathInvalid", `no endpoint ${method} ${path}`, "path");
  const handler = deps.handlers[match.entry.id as keyof LockHandlers];
  if (handler === undefined)
    throw new LockApiError(
      "functionNotSupported",
      `hilfarm does not serve ${match.entry.id} (${method} ${match.entry.path}) yet`,
      "path",
    );
  const deviceId = match.params.device_id;
  if (deviceId !== undefined) {
    const record = deps.store.get(deviceId);
    if (record === undefined)
      throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
    checkLockType(match.entry, record, deps.lockTypes);
  }
  const text = body.toString("utf8");
  let bodyValue: unknown = {};
  if (text.trim() !== "") {
    const json = parseJsonSafely(text);
    if (!json.ok) throw new LockApiError("paramIllegal", `body is not JSON (${json.reason})`, "body");
    bodyValue = json.value;
  }
  const request = match.entry.request as { path: z.ZodType; query: z.ZodType; body: z.ZodType };
  return handler(
    {
      params: parsed(request.path, match.params, "path") as Record<string, string>,
      query: parsed(request.query, Object.fromEntries(url.searchParams), "query"),
      body: parsed(request.body, bodyValue, "body"),
      clientId,
      secret: deps.secrets.get(clientId) ?? "",
      now,
    },
    deps,
  );
}

/**
 * The lock API's request listener: every answer is HTTP 200 with the envelope (the vendor's SDKs read a non-2xx
 * status as a transport failure). Logs name the path and the code, never a header or a body (tokens, signatures,
 * passwords).
 */
export function lockApiListener(deps: LockServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const send = (req: IncomingMessage, res: ServerResponse, envelope: Record<string, unknown>): void => {
    deps.logger.debug(
      { method: req.method, path: req.url?.split("?")[0], code: envelope.code },
      "lock-api answer",
    );
    if (res.headersSent || res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(envelope));
  };
  return (req, res) => {
    void answer(req, deps).then(
      (result) => send(req, res, { ...successEnvelope(result, deps.clock.now()) }),
      (error: unknown) => {
        if (error instanceof LockApiError) {
          send(req, res, { ...failureEnvelope(error, deps.clock.now()) });
          return;
        }
        deps.logger.warn(
          { reason: error instanceof Error ? error.message : String(error) },
          "lock-api: request failed",
        );
        send(req, res, { ...failureEnvelope(new LockApiError("systemError"), deps.clock.now()) });
      },
    );
  };
}
