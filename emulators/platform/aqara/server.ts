import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { readBoundedBody } from "../../../harness/http/bounded-body.ts";
import {
  failureAnswer,
  type OpenApiAnswer,
  OpenApiRequestSchema,
  successAnswer,
} from "../../../harness/protocol/aqara/envelope.ts";
import { AqaraError } from "../../../harness/protocol/aqara/errors.ts";
import { NonceMemory } from "../../../harness/protocol/aqara/nonce-memory.ts";
import { readOpenApiRequest } from "../../../harness/protocol/aqara/open-api-request.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import type { Random } from "../../../harness/random/random.ts";
import type { AqaraHandler } from "./intents.ts";

/** hilfarm's reading: the open API is one POST path, as the vendor's (`/v3.0/open/api`). */
export const AQARA_API_PATH = "/v3.0/open/api";
/** An intent's body is small; beyond this it is refused before it is parsed. */
export const MAX_AQARA_BODY_BYTES = 64 * 1024;
/** A body not received within this long ends its request. */
const BODY_DEADLINE_MS = 30_000;

export interface AqaraServerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Request ids (not secrets). */
  readonly random: Random;
  /** App id -> its key ids, each with its app key. */
  readonly keys: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly toleranceMs: number;
  readonly handlers: ReadonlyMap<string, AqaraHandler>;
}

/** The first fault of a request's `{intent, data}`: 302 without an intent, else 303 naming the field. */
function requestOf(text: string): { intent: string; data: Record<string, unknown> } {
  const json = parseJsonSafely(text);
  if (!json.ok) throw new AqaraError("illegalParameter", `body is not JSON (${json.reason})`, "body");
  const value = json.value;
  if (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    ((value as { intent?: unknown }).intent ?? "") === ""
  )
    throw new AqaraError("missingParameter", "intent", "intent");
  const parsed = OpenApiRequestSchema.safeParse(value);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    throw new AqaraError(
      "illegalParameter",
      `${field}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      field,
    );
  }
  return { intent: parsed.data.intent, data: parsed.data.data ?? {} };
}

async function answer(
  req: IncomingMessage,
  deps: AqaraServerDeps,
  nonces: NonceMemory,
  seen: { intent?: string },
): Promise<unknown> {
  const body = await readBoundedBody(req, MAX_AQARA_BODY_BYTES, { clock: deps.clock, ms: BODY_DEADLINE_MS });
  if (body === "too-large" || body === "too-slow")
    throw new AqaraError(
      "illegalParameter",
      body === "too-large" ? `body over ${MAX_AQARA_BODY_BYTES} bytes` : "body not received in time",
      "body",
    );
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "POST" || path !== AQARA_API_PATH)
    throw new AqaraError(
      "illegalParameter",
      `${JSON.stringify(req.method)} ${JSON.stringify(path?.slice(0, 80))}: the open API is POST ${AQARA_API_PATH}`,
      req.method === "POST" ? "path" : "method",
    );
  const now = deps.clock.now();
  const scoped = (appId: string, nonce: string) => `${appId}\n${nonce}`;
  const read = readOpenApiRequest(req.headers, {
    now,
    toleranceMs: deps.toleranceMs,
    keysOf: (appId) => deps.keys.get(appId),
    nonceSeen: (appId, nonce) => nonces.seen(scoped(appId, nonce), now),
  });
  if (!read.ok) throw read.error;
  const caller = read.value;
  // A signed request uses up its nonce, whatever its body holds.
  nonces.remember(scoped(caller.appId, caller.nonce), caller.time, now);
  const { intent, data } = requestOf(body.toString("utf8"));
  seen.intent = intent.slice(0, 80);
  const handler = deps.handlers.get(intent);
  if (handler === undefined)
    throw new AqaraError("unknownIntent", `intent ${JSON.stringify(intent.slice(0, 80))}`, "intent");
  return handler({ caller, data, now });
}

/**
 * The open API's request listener: every answer is HTTP 200 with the envelope (`code` 0, or the refusal's code with
 * the field at fault in `msgDetails`). Logs name the path, the intent and the code, never a header or a body (keys,
 * signs, tokens).
 */
export function aqaraListener(deps: AqaraServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const nonces = new NonceMemory(deps.toleranceMs);
  const hex = "0123456789abcdef";
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    envelope: OpenApiAnswer,
    intent?: string,
  ): void => {
    deps.logger.debug(
      { method: req.method, path: req.url?.split("?")[0]?.slice(0, 80), intent, code: envelope.code },
      "aqara answer",
    );
    if (res.headersSent || res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(envelope));
  };
  return (req, res) => {
    const requestId = deps.random.string(32, hex);
    const seen: { intent?: string } = {};
    void answer(req, deps, nonces, seen).then(
      (result) => send(req, res, successAnswer(requestId, result), seen.intent),
      (error: unknown) => {
        if (error instanceof AqaraError) {
          send(req, res, failureAnswer(requestId, error), seen.intent);
          return;
        }
        deps.logger.warn(
          { reason: error instanceof Error ? error.message : String(error) },
          "aqara: request failed",
        );
        send(req, res, failureAnswer(requestId, new AqaraError("systemError")), seen.intent);
      },
    );
  };
}
