import type { Clock } from "../../harness/clock/clock.ts";
import { withDeadline } from "../../harness/clock/deadline.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import {
  type CInterfaceId,
  cInterfaces,
  cResultCodes,
  cResultName,
  formatSequenceNo,
  randomSerial,
} from "../../harness/protocol/c/index.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import type { Random } from "../../harness/random/random.ts";
import { maskSecrets } from "../../harness/secrets.ts";
import { type ClientMaterial, tlsRequest } from "../../harness/tls/mutual-tls.ts";
import { TlsError } from "../../harness/tls/tls-error.ts";
import type { Capability } from "../target/target.ts";
import { ClauseFailure, expectThat, NotApplicable } from "./clause.ts";

/**
 * What both C suites (chapter 7) do on the wire: a POST of a JSON body over mutual TLS (7.1.2, 7.1.4), waited for on
 * the target's time, and what a failure shows of the answer (secrets masked: `access_token`, keys).
 */

/** "A platform under test" as a C suite sees it: where it listens and the identity the suite presents. */
export interface CTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** `https://{domain}` (7.1.2), no trailing slash. */
  readonly url: string;
  /** The CA the platform's server certificate chains to, and the client certificate and key it trusts. */
  readonly client: ClientMaterial;
  /** Where `sequenceNo`s draw their 4 digits and the suite its device SNs. */
  readonly random: Random;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

/** How long the suites wait for one answer when time is not what the clause checks. */
export const C_ANSWER_MS = 60_000;

/** A JSON answer: the HTTP status and the body. */
export interface CAnswer {
  status: number;
  json: Record<string, unknown>;
}

export class Unanswered extends ClauseFailure {}

/** `promise` on `clock`, or a rejection once `maxMs` have passed; a VirtualClock is run until it settles. */
export function settleOn<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<T> {
  const bounded = withDeadline(
    clock,
    promise,
    maxMs,
    () => new Unanswered(`expected an answer within ${maxMs} ms; saw none`),
    "c-suite-deadline",
  );
  return clock instanceof VirtualClock ? clock.runUntilSettled(bounded, { maxMs: maxMs + 1 }) : bounded;
}

/** Waits `ms` on the target's time (moved at once on a VirtualClock). */
export async function pause(on: { clock: Clock }, ms: number): Promise<void> {
  const { clock } = on;
  if (clock instanceof VirtualClock) {
    await clock.advanceAsync(ms);
    return;
  }
  await new Promise<void>((resolve) => clock.setTimeout(resolve, ms, "c-suite-pause"));
}

/** `YYYYMMDDHHMMSS` + 4 random digits (7.3), on the target's time. */
export function sequenceNo(target: CTarget): string {
  return formatSequenceNo(target.clock.now(), randomSerial(target.random));
}

/** A body as a failure shows it: JSON, secrets masked, cut short. */
export function shownC(body: unknown): string {
  const text = JSON.stringify(maskSecrets(body)) ?? String(body);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** Interface `id`'s request to the target; `maxMs` bounds the wait on the target's time. */
export async function post(
  target: CTarget,
  id: CInterfaceId,
  body: unknown,
  options: { material?: ClientMaterial; maxMs?: number } = {},
): Promise<CAnswer> {
  const { path } = cInterfaces[id];
  const url = `${target.url}${path}`;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers = { "content-type": "application/json; charset=utf-8", accept: "application/json" };
  const sent = tlsRequest(url, { method: "POST", headers, body: text }, options.material ?? target.client);
  const maxMs = options.maxMs ?? C_ANSWER_MS;
  let response: Awaited<typeof sent>;
  try {
    response = await target.settle(sent, maxMs);
  } catch (error) {
    // A late answer must not surface as an unhandled rejection once the clause has moved on.
    sent.catch(() => undefined);
    if (error instanceof ClauseFailure) throw new Unanswered(`${id} ${path}: ${error.message}`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClauseFailure(`expected an answer to ${id} ${path}; saw the request fail: ${reason}`);
  }
  const json = parseJsonSafely(response.body);
  const object =
    json.ok && typeof json.value === "object" && json.value !== null && !Array.isArray(json.value)
      ? (json.value as Record<string, unknown>)
      : undefined;
  if (object === undefined)
    throw new ClauseFailure(
      `expected a JSON object in the answer to ${id} ${path} (7.1.2); saw HTTP ${response.status} with ${Buffer.byteLength(response.body)} bytes that are not one`,
    );
  return { status: response.status, json: object };
}

/** The answer's `code` is `code`. */
export function expectCode(answer: CAnswer, code: number, what: string): void {
  expectThat(
    answer.json.code === code,
    `code ${code} (${cResultName(code)}) for ${what}`,
    `HTTP ${answer.status} ${shownC(answer.json)}`,
  );
}

/** 7.3.1.9, 7.3.2.12: a refusal with `code` whose `desc` names `field`. */
export function expectNamed(answer: CAnswer, code: number, field: string, what: string): void {
  expectCode(answer, code, what);
  const desc = typeof answer.json.desc === "string" ? answer.json.desc : "";
  expectThat(desc.includes(field), `desc naming ${field} for ${what}`, `desc ${JSON.stringify(desc)}`);
}

/** The fields interface `id`'s request table marks required (是否必填 是), in table order. */
export function requiredFields(id: CInterfaceId): string[] {
  const shape = cInterfaces[id].request.shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean } }
  >;
  return Object.keys(shape).filter((field) => !shape[field]?.safeParse(undefined).success);
}

/** `body` without `field`. */
export function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = body;
  return rest;
}

/** 7.1.2, 7.1.4: the connection with `material` ends in the TLS handshake, before any HTTP answer. */
export async function expectHandshakeRefused(
  target: CTarget,
  id: CInterfaceId,
  material: ClientMaterial,
  who: string,
): Promise<void> {
  const { path } = cInterfaces[id];
  const sent = tlsRequest(`${target.url}${path}`, { method: "POST", body: "{}" }, material);
  let outcome: string;
  try {
    const answer = await target.settle(sent, C_ANSWER_MS);
    outcome = `HTTP ${answer.status} ${answer.body.slice(0, 200)}`;
  } catch (error) {
    sent.catch(() => undefined);
    if (error instanceof TlsError && error.code === "TLS_HANDSHAKE") return;
    outcome = error instanceof Error ? error.message : String(error);
  }
  throw new ClauseFailure(`expected ${who} to be refused in the TLS handshake; saw ${outcome}`);
}

/** Runs `check` for each item, all of them; fails with every item's failure, each prefixed by the item. */
export async function eachOf<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const item of items) {
    try {
      await check(item);
    } catch (error) {
      if (!(error instanceof ClauseFailure)) throw error;
      failures.push(`${String(item)}: ${error.message}`);
    }
  }
  if (failures.length > 0) throw new ClauseFailure(failures.join("; "));
}

/** On real time, a token is waited out only when it lives this long or less. */
export const REAL_WAIT_MS = 120_000;
/**
 * On real time, the margin around `expiredAt`: the two platforms' clocks and the network differ by this much. On
 * virtual time the check is at the millisecond.
 */
const REAL_MARGIN_MS = 1_000;

/** Not applicable when a token living `lifetimeMs` is too long to wait out on the target's time. */
export function waitable(target: CTarget, lifetimeMs: number): void {
  if (!target.capabilities.has("virtual-time") && lifetimeMs > REAL_WAIT_MS)
    throw new NotApplicable(
      `the token lives ${lifetimeMs} ms: on real time the suite waits out tokens of ${REAL_WAIT_MS} ms at most`,
    );
}

/**
 * 7.3.1.1, 7.3.2.1: `ask` (a request with the token) is accepted just before `expiredAt` and answered 1001 from it on:
 * 1 ms either side on virtual time, a margin on real time.
 */
export async function expectExpiry(
  target: CTarget,
  issuedAt: number,
  expiredAt: number,
  ask: () => Promise<CAnswer>,
  what: string,
): Promise<void> {
  waitable(target, expiredAt - issuedAt);
  const margin = target.capabilities.has("virtual-time") ? 1 : REAL_MARGIN_MS;
  const before = Math.max(target.clock.now(), expiredAt - margin);
  await pause(target, Math.max(0, before - target.clock.now()));
  expectCode(
    await ask(),
    cResultCodes.success,
    `${what} ${expiredAt - target.clock.now()} ms before its expiredAt`,
  );
  await pause(target, Math.max(0, expiredAt + margin - 1 - target.clock.now()));
  expectCode(
    await ask(),
    cResultCodes.tokenInvalid,
    `${what} ${target.clock.now() - expiredAt} ms after its expiredAt`,
  );
}
