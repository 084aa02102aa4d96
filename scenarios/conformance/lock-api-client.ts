import { type LockEndpointId, lockEndpoints } from "../../harness/protocol/lock-api/endpoints.ts";
import {
  LOCK_API_HTTP_STATUS,
  type LockApiEnvelope,
  parseEnvelope,
} from "../../harness/protocol/lock-api/envelope.ts";
import { signRequest } from "../../harness/protocol/lock-api/signing.ts";
import { maskSecrets } from "../../harness/secrets.ts";
import { ClauseFailure, expectThat } from "./clause.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * The suite's lock-API client, written from the protocol module alone: each request signed as signing.ts says (with
 * the target's time as `t`), each answer read as envelope.ts says. Every answer must be HTTP 200 with the envelope
 * (the vendor's SDKs read any other status as a transport failure): a clause fails on anything else.
 */

export interface LockRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path, without the query. */
  path: string;
  query?: Readonly<Record<string, string | number | boolean>>;
  body?: unknown;
  /** The access token to send: the run's own when undefined, none when null. */
  token?: string | null;
  /** Overrides for the refusal clauses. */
  clientId?: string;
  secret?: string;
  t?: number;
  sign?: string;
}

export interface LockAnswer {
  status: number;
  envelope: LockApiEnvelope<unknown>;
}

/** What a run keeps between clauses: its token, and what earlier clauses made. */
export interface LockRun {
  token?: { access: string; refresh: string; expireTime: number; at: number };
  passwords: Map<string, number>;
  digits: number;
  /** Alarms the suite caused at the Wi-Fi lock (emulated targets). */
  alarms?: number;
  /** The catalogue endpoints the run has called (`call`), for the coverage test. */
  called: Set<LockEndpointId>;
}

const runs = new WeakMap<LockApiTarget, LockRun>();

export function runOf(target: LockApiTarget): LockRun {
  let run = runs.get(target);
  if (run === undefined) {
    run = { passwords: new Map(), digits: 0, called: new Set() };
    runs.set(target, run);
  }
  return run;
}

/** An answer as a failure shows it: secrets masked, cut short. */
export function shown(answer: LockAnswer | unknown): string {
  const value =
    answer !== null && typeof answer === "object" && "envelope" in answer ? answer.envelope : answer;
  const text = JSON.stringify(maskSecrets(value)) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** An answer's text as a failure shows it: JSON with its secrets masked, or the text cut short. */
function shownText(text: string): string {
  try {
    return shown(JSON.parse(text));
  } catch {
    return text.slice(0, 200);
  }
}

const queryText = (query: LockRequest["query"]) =>
  query === undefined || Object.keys(query).length === 0
    ? ""
    : `?${Object.entries(query)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&")}`;

/** One signed request; fails the clause when there is no answer in time, or one that is not HTTP 200 + envelope. */
export async function send(target: LockApiTarget, request: LockRequest): Promise<LockAnswer> {
  const pathAndQuery = `${request.path}${queryText(request.query)}`;
  const body = request.body === undefined ? "" : JSON.stringify(request.body);
  const token = request.token === null ? undefined : (request.token ?? (await accessToken(target)));
  const secret = request.secret ?? target.secret;
  const headers = signRequest({
    method: request.method,
    target: pathAndQuery,
    body,
    clientId: request.clientId ?? target.clientId,
    secret,
    ...(token === undefined ? {} : { accessToken: token }),
    t: request.t ?? target.clock.now(),
  });
  if (request.sign !== undefined) headers.sign = request.sign;
  const what = `${request.method} ${request.path}`;
  const sent = fetch(`${target.url}${pathAndQuery}`, {
    method: request.method,
    headers: { ...headers, "content-type": "application/json" },
    ...(body === "" ? {} : { body }),
  }).then(async (response) => ({ status: response.status, text: await response.text() }));
  let answer: { status: number; text: string };
  try {
    answer = await target.settle(sent, target.answerMs);
  } catch (error) {
    sent.catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClauseFailure(`expected an answer to ${what} within ${target.answerMs} ms; saw ${reason}`);
  }
  const envelope = parseEnvelope(answer.text);
  expectThat(
    answer.status === LOCK_API_HTTP_STATUS && envelope.ok,
    `HTTP 200 with the envelope (success, t, result or code and msg) for ${what}`,
    `HTTP ${answer.status} ${envelope.ok ? "" : `(${envelope.error.message}) `}${shownText(answer.text)}`,
  );
  return { status: answer.status, envelope: envelope.value };
}

/** The run's access token: granted once (`GET /v1.0/token?grant_type=1`), refreshed by the token clauses. */
export async function accessToken(target: LockApiTarget): Promise<string> {
  const run = runOf(target);
  if (run.token === undefined) {
    const answer = await send(target, {
      method: "GET",
      path: "/v1.0/token",
      query: { grant_type: 1 },
      token: null,
    });
    keepToken(target, expectSuccess(answer, "the token grant"));
  }
  return run.token?.access ?? "";
}

/** Keeps a token call's `result` as the run's token; fails naming what is missing. */
export function keepToken(target: LockApiTarget, result: unknown): void {
  const r = (result ?? {}) as Record<string, unknown>;
  for (const field of ["access_token", "refresh_token", "uid"])
    expectThat(
      typeof r[field] === "string" && r[field] !== "",
      `a non-empty string ${field}`,
      `${field} ${typeof r[field]}`,
    );
  expectThat(
    Number.isInteger(r.expire_time) && (r.expire_time as number) > 0,
    "expire_time, a positive number of seconds",
    `expire_time ${JSON.stringify(r.expire_time)}`,
  );
  runOf(target).token = {
    access: r.access_token as string,
    refresh: r.refresh_token as string,
    expireTime: r.expire_time as number,
    at: target.clock.now(),
  };
}

/** The answer is a success: its `result`. */
export function expectSuccess(answer: LockAnswer, what: string): unknown {
  const { envelope } = answer;
  if (!envelope.success) throw new ClauseFailure(`expected success for ${what}; saw ${shown(answer)}`);
  return envelope.result;
}

/** The answer is a success whose `result` the catalogue entry's `response` schema takes: the parsed result. */
export function expectResult(answer: LockAnswer, id: LockEndpointId, what: string): unknown {
  const result = expectSuccess(answer, what);
  const parsed = lockEndpoints[id].response.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClauseFailure(
      `expected the result of ${what} as the seed's table says (${id}); saw ${issue?.path.join(".") || "result"}: ${issue?.message ?? "invalid"} in ${shown(result)}`,
    );
  }
  return parsed.data;
}

/** The answer is a refusal with `code` (and, when given, a `msg` naming `field`). */
export function expectRefusal(answer: LockAnswer, code: number, what: string, field?: string): void {
  const { envelope } = answer;
  expectThat(!envelope.success && envelope.code === code, `code ${code} for ${what}`, shown(answer));
  if (field !== undefined && !envelope.success)
    expectThat(
      envelope.msg.includes(field),
      `msg naming ${field} for ${what}`,
      `msg ${JSON.stringify(envelope.msg)}`,
    );
}

/** Endpoint `id` of the catalogue: its path with `params` filled in. */
export function call(
  target: LockApiTarget,
  id: LockEndpointId,
  params: Readonly<Record<string, string | number>>,
  rest: Omit<LockRequest, "method" | "path"> = {},
): Promise<LockAnswer> {
  const entry = lockEndpoints[id];
  runOf(target).called.add(id);
  const path = entry.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${id}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  return send(target, { method: entry.method, path, ...rest });
}
