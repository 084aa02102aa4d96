import { fail, ok, type Result, showValue, UsageError } from "../../harness/errors.ts";
import {
  AqaraError,
  clientIdsOf,
  DEFAULT_PUSH_TOLERANCE_MS,
  failureAnswer,
  PUSH_SUCCESS_ANSWER,
  type PushBody,
  PushBodySchema,
  readPushHeaders,
} from "../../harness/protocol/aqara/index.ts";
import { NonceMemory } from "../../harness/protocol/aqara/nonce-memory.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import { safeParseReporting } from "../../harness/schema-parse.ts";
import {
  NO_PUSH_MISBEHAVIOUR,
  type PushMisbehaviour,
  type PushMisbehaviourChange,
  takePushFault,
  withPushMisbehaviour,
} from "./misbehaviour.ts";
import { bodyExcerpt, type PushAnswerKind, type PushRecord, recordedHeaders, redact } from "./push-record.ts";

/**
 * The push receiver's state and decisions, pure (the server hands in each request with the time it was read): the
 * seed's checks of a push (headers, signature when on, body), the nonce memory, the misbehaviour switches, and the
 * record and the answer of each request.
 */

export interface ReceiverSettings {
  /** The one path pushes are taken on ("/" by default); the query is ignored. */
  path?: string;
  /** Signing on: `appkey` must be this key and `sign` must verify with the secret. Off: time and nonce only. */
  signing?: { appKey: string; appSecret: string };
  /** How far a push's `time` may be from the receiver's clock (default 5 minutes). */
  toleranceMs?: number;
  nonceCapacity?: number;
  /** For the refusal's text: the body limit and deadline the server applies. */
  maxBodyBytes: number;
  bodyDeadlineMs: number;
  misbehaviour?: PushMisbehaviourChange;
}

export interface ReceivedRequest {
  method: string;
  /** The request target (path and query). */
  target: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body, or why it was not read whole. */
  body: Buffer | "too-large" | "too-slow" | "aborted";
  /** ms on the receiver's clock when the body was read. */
  now: number;
}

/** What to write back: `delayMs` later on the clock. */
export interface PlannedAnswer {
  kind: Exclude<PushAnswerKind, "none">;
  status: number;
  headers: Record<string, string>;
  text: string;
  delayMs: number;
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
/** The abnormal answer (misbehaviour): HTTP 200, a text body, not the documented JSON. */
export const ABNORMAL_ANSWER_TEXT = "success";

function refusal(status: number, error: AqaraError, delayMs = 0, extra: Record<string, string> = {}) {
  return {
    kind: "refusal" as const,
    status,
    headers: { ...JSON_TYPE, ...extra },
    text: JSON.stringify(failureAnswer("", error)),
    delayMs,
  };
}

/** The body's first fault as 302 (a field missing) or 303 (anything else), naming the field. */
function bodyOf(text: string): Result<PushBody, AqaraError> {
  const json = parseJsonSafely(text);
  if (!json.ok) return fail(new AqaraError("illegalParameter", `body is not JSON (${json.reason})`, "body"));
  const parsed = safeParseReporting(PushBodySchema, json.value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "body";
  if (issue?.code === "unrecognized_keys")
    return fail(
      new AqaraError("illegalParameter", `body fields ${showValue(issue.keys)}: not in a push`, "body"),
    );
  if (issue?.code === "invalid_type" && issue.input === undefined && field !== "body")
    return fail(new AqaraError("missingParameter", `body ${field}`, field));
  return fail(new AqaraError("illegalParameter", `body ${field}: ${issue?.message ?? "not a push"}`, field));
}

export class ReceiverBook {
  readonly nonces: NonceMemory;
  readonly path: string;
  #misbehaviour: PushMisbehaviour;
  #seq = 0;

  constructor(readonly settings: ReceiverSettings) {
    this.path = settings.path ?? "/";
    if (!this.path.startsWith("/") || this.path.includes("?"))
      throw new UsageError(
        "path",
        `path: expected a path starting with / and no query, got ${showValue(this.path)}`,
      );
    this.nonces = new NonceMemory(settings.toleranceMs ?? DEFAULT_PUSH_TOLERANCE_MS, settings.nonceCapacity);
    this.#misbehaviour = withPushMisbehaviour(NO_PUSH_MISBEHAVIOUR, settings.misbehaviour ?? {});
  }

  get misbehaviour(): PushMisbehaviour {
    return { ...this.#misbehaviour };
  }

  /** Changes the switches (at run time); a `UsageError` names a bad switch or value and changes nothing. */
  misbehave(change: unknown): PushMisbehaviour {
    this.#misbehaviour = withPushMisbehaviour(this.#misbehaviour, change);
    return this.misbehaviour;
  }

  /**
   * One request: its record, and the answer (none when its body never came). A push is accepted when every check
   * passes; only then is its nonce remembered, and not when the receiver fails it (fail500: the push was not taken).
   */
  receive(request: ReceivedRequest): { record: PushRecord; answer: PlannedAnswer | undefined } {
    const secret = this.settings.signing?.appSecret;
    const path = request.target.split("?")[0] ?? "";
    const base = {
      event: "push" as const,
      seq: ++this.#seq,
      receivedAt: request.now,
      method: request.method,
      path: redact(path.slice(0, 512), secret),
      headers: recordedHeaders(request.headers, secret),
      ...(Buffer.isBuffer(request.body) ? { bytes: request.body.length } : {}),
    };
    const judged = this.#judge(request, path);
    let answer: PlannedAnswer | undefined;
    if (judged.answer !== undefined) answer = judged.answer;
    else if (request.body === "too-slow" || request.body === "aborted") answer = undefined;
    else {
      const taken = takePushFault(this.#misbehaviour);
      this.#misbehaviour = taken.next;
      answer = this.#answer(judged.result, taken.fault, taken.delayMs);
      if (judged.result.ok && taken.fault !== "fail500")
        this.nonces.remember(judged.result.value.nonce, judged.result.value.time, request.now);
    }
    const { result } = judged;
    const record: PushRecord = {
      ...base,
      verdict: result.ok ? "accepted" : "refused",
      code: result.ok ? 0 : result.error.apiCode,
      ...(result.ok
        ? {}
        : {
            reason: redact(result.error.message, secret),
            ...(result.error.field === undefined ? {} : { field: result.error.field }),
          }),
      answer: { kind: answer?.kind ?? "none", status: answer?.status ?? null, delayMs: answer?.delayMs ?? 0 },
      ...this.#bodyFields(request.body, result, secret),
    };
    return { record, answer };
  }

  #judge(
    request: ReceivedRequest,
    path: string,
  ): {
    result: Result<{ body: PushBody; nonce: string; time: number }, AqaraError>;
    answer?: PlannedAnswer;
  } {
    if (path !== this.path) {
      const error = new AqaraError(
        "illegalParameter",
        `path ${showValue(path)}: pushes go to ${this.path}`,
        "path",
      );
      return { result: fail(error), answer: refusal(404, error) };
    }
    if (request.method !== "POST") {
      const error = new AqaraError(
        "illegalParameter",
        `method ${showValue(request.method)}: a push is a POST`,
      );
      return { result: fail(error), answer: refusal(405, error, 0, { allow: "POST" }) };
    }
    const { body, now } = request;
    const { maxBodyBytes, bodyDeadlineMs } = this.settings;
    if (body === "too-large")
      return { result: fail(new AqaraError("illegalParameter", `body over ${maxBodyBytes} bytes`, "body")) };
    if (body === "too-slow")
      return {
        result: fail(
          new AqaraError("illegalParameter", `body not received within ${bodyDeadlineMs} ms`, "body"),
        ),
      };
    if (body === "aborted")
      return {
        result: fail(new AqaraError("illegalParameter", "connection ended before the body did", "body")),
      };
    const headers = readPushHeaders(request.headers, {
      ...(this.settings.signing === undefined ? {} : { signing: this.settings.signing }),
      now,
      toleranceMs: this.nonces.windowMs,
      nonceSeen: (nonce) => this.nonces.seen(nonce, now),
    });
    if (!headers.ok) return { result: headers };
    const parsed = bodyOf(body.toString("utf8"));
    if (!parsed.ok) return { result: parsed };
    return {
      result: ok({ body: parsed.value, nonce: headers.value.nonce, time: Number(headers.value.time) }),
    };
  }

  #answer(result: Result<unknown, AqaraError>, fault: "fail500" | "abnormal" | undefined, delayMs: number) {
    if (fault === "fail500") {
      const error = new AqaraError("systemError", "the receiver fails (misbehaviour fail500)");
      return { ...refusal(500, error, delayMs), kind: "fail500" as const };
    }
    if (fault === "abnormal")
      return {
        kind: "abnormal" as const,
        status: 200,
        headers: { "content-type": "text/plain; charset=utf-8" },
        text: ABNORMAL_ANSWER_TEXT,
        delayMs,
      };
    if (!result.ok) return refusal(200, result.error, delayMs);
    return {
      kind: "success" as const,
      status: 200,
      headers: JSON_TYPE,
      text: JSON.stringify(PUSH_SUCCESS_ANSWER),
      delayMs,
    };
  }

  #bodyFields(
    body: ReceivedRequest["body"],
    result: Result<{ body: PushBody }, AqaraError>,
    secret: string | undefined,
  ): Pick<PushRecord, "body" | "clientIds" | "bodyExcerpt"> {
    if (!Buffer.isBuffer(body) || body.length === 0) return {};
    const text = body.toString("utf8");
    const parsed = result.ok ? ok(result.value.body) : bodyOf(text);
    if (!parsed.ok) return { bodyExcerpt: bodyExcerpt(text, secret) };
    const { token, data } = parsed.value;
    return {
      body: { token: redact(token, secret), data: redact(data, secret) },
      clientIds: clientIdsOf(token).map((id) => redact(id, secret)),
    };
  }
}
