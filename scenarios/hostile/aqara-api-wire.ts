import { randomBytes } from "node:crypto";
import { type ClientRequest, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { openApiHeaders } from "../../harness/protocol/aqara/open-api-auth.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import type { AqaraApiTarget } from "../conformance/aqara-api-target.ts";
import { expectThat } from "../conformance/clause.ts";
import { realTime } from "./real-time.ts";

/**
 * The open API's wire for the hostile clauses (H9): raw requests with exactly the headers and bytes given, signed or
 * forged, on any method and request target, and a body that never ends. Answers are read, never trusted.
 */

export interface RawAnswer {
  /** HTTP status, or undefined when the connection ended without an answer. */
  status: number | undefined;
  text: string;
}

/** An answer's envelope: what the suite reads of `{code, requestId, message, msgDetails, result}`. */
export interface Envelope {
  code: number;
  result?: unknown;
}

export interface RawRequest {
  method?: string;
  /** Path and query on the target's host; default the endpoint's. */
  path?: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Wait on the target's time (default), or real time (a burst: a virtual clock would run on meanwhile). */
  wait?: "target" | "real";
}

/** A fresh nonce: 16 random bytes in hex. */
export const freshNonce = (): string => randomBytes(16).toString("hex");

/**
 * Opens a request announcing `length` body bytes: `onAnswer` gets the answer (read to its end), `onEnded` the
 * connection ending without one. An answer before the whole body went (a refused 2 MiB body) is still the answer.
 */
function open(
  target: AqaraApiTarget,
  request: Omit<RawRequest, "body" | "wait"> & { length: number },
  onAnswer: (answer: RawAnswer) => void,
  onEnded: () => void,
): ClientRequest {
  const url = new URL(target.url);
  let answered = false;
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(
    {
      agent: false,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: request.path ?? `${url.pathname}${url.search}`,
      method: request.method ?? "POST",
      headers: {
        "content-type": "application/json",
        ...request.headers,
        "content-length": String(request.length),
      },
    },
    (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const done = () => {
        req.destroy();
        onAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      };
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", done);
      res.on("error", done);
      res.on("aborted", done);
    },
  );
  const ended = () => {
    if (!answered) onEnded();
  };
  req.on("error", ended);
  req.on("close", ended);
  return req;
}

function send(target: AqaraApiTarget, request: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve) => {
    open(target, { ...request, length: request.body.length }, resolve, () =>
      resolve({ status: undefined, text: "" }),
    ).end(request.body);
  });
}

/** One request, waited for at most `answerMs` (then it counts as unanswered). */
export function rawAqaraRequest(target: AqaraApiTarget, request: RawRequest): Promise<RawAnswer> {
  const sent = send(target, request);
  const wait = request.wait === "real" ? realTime : target.settle.bind(target);
  return wait(sent, target.answerMs).catch(() => ({ status: undefined, text: "" }));
}

export interface Signing {
  appId?: string;
  keyId?: string;
  appKey?: string;
  accessToken?: string;
  nonce?: string;
  time?: string;
}

/** The signed headers of one request by the target's app (a fresh nonce, `Time` now on the target's clock). */
export function signedHeaders(target: AqaraApiTarget, over: Signing = {}): Record<string, string> {
  return openApiHeaders(
    {
      appid: over.appId ?? target.appId,
      keyid: over.keyId ?? target.keyId,
      nonce: over.nonce ?? freshNonce(),
      time: over.time ?? String(target.clock.now()),
      ...(over.accessToken === undefined ? {} : { accesstoken: over.accessToken }),
    },
    over.appKey ?? target.appKey,
  );
}

const LONG = "7".repeat(8192);

/** A forged request and the codes that refuse it (errors.ts as hilfarm's surface uses them). */
export interface Forgery {
  name: string;
  codes: readonly number[];
  /** Made just before it is sent: `Time` is now on the target's clock. */
  headers: () => Record<string, string>;
}

/**
 * H9.2's forged headers. Each carries the legitimate token as `Accesstoken` (one who saw the token, not the key) unless
 * the token is what is forged; the ones signed validly reach the check they are named after.
 */
export function forgeries(target: AqaraApiTarget, token: string): Forgery[] {
  const signed = (over: Signing) => () => signedHeaders(target, { accessToken: token, ...over });
  const at = (offsetMs: number) => () =>
    signedHeaders(target, { accessToken: token, time: String(target.clock.now() + offsetMs) });
  const wrongSign = (sign: string) => () => ({ ...signed({})(), Sign: sign });
  const without = (name: string) => () =>
    Object.fromEntries(Object.entries(signed({})()).filter(([key]) => key !== name));
  return [
    { name: "no headers", codes: [302], headers: () => ({}) },
    { name: "no Sign", codes: [302], headers: without("Sign") },
    { name: "no Nonce", codes: [302], headers: without("Nonce") },
    { name: "a wrong Sign", codes: [902], headers: wrongSign("0".repeat(32)) },
    { name: "signed with another key", codes: [902], headers: signed({ appKey: `${target.appKey}x` }) },
    { name: "an unknown Appid", codes: [901], headers: signed({ appId: "hilfarm-no-such-app" }) },
    { name: "an unknown Keyid", codes: [901], headers: signed({ keyId: "hilfarm-no-such-key" }) },
    { name: "Time a day old", codes: [903], headers: at(-86_400_000) },
    { name: "Time a day ahead", codes: [903], headers: at(86_400_000) },
    { name: "Time 1e308", codes: [303, 903], headers: signed({ time: "1e308" }) },
    { name: "Time -1", codes: [303, 903], headers: signed({ time: "-1" }) },
    { name: "a never-issued Accesstoken", codes: [108], headers: signed({ accessToken: "0".repeat(32) }) },
    { name: "Accesstoken `forged`", codes: [108], headers: signed({ accessToken: "forged" }) },
    { name: "an 8 KiB Appid", codes: [303, 901], headers: signed({ appId: LONG }) },
    { name: "an 8 KiB Nonce", codes: [303], headers: signed({ nonce: LONG }) },
    { name: "an 8 KiB Time", codes: [303, 903], headers: signed({ time: LONG }) },
    { name: "an 8 KiB Sign", codes: [303, 902], headers: wrongSign(LONG) },
    { name: "an 8 KiB Accesstoken", codes: [303, 108], headers: signed({ accessToken: LONG }) },
  ];
}

/** A validly signed `{intent, data}` (or these body bytes). */
export function signedCall(
  target: AqaraApiTarget,
  body: Buffer | { intent: string; data?: unknown },
  accessToken?: string,
): Promise<RawAnswer> {
  return rawAqaraRequest(target, {
    headers: signedHeaders(target, accessToken === undefined ? {} : { accessToken }),
    body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
  });
}

/** The envelope of an HTTP 200 answer (a JSON object with a numeric `code`), or undefined. */
export function envelopeOf(answer: RawAnswer): Envelope | undefined {
  if (answer.status !== 200) return undefined;
  const json = parseJsonSafely(answer.text);
  if (!json.ok || typeof json.value !== "object" || json.value === null) return undefined;
  const { code, result } = json.value as { code?: unknown; result?: unknown };
  return typeof code === "number" ? { code, result } : undefined;
}

/** What an answer was, for a tally: `HTTP 200 code 303`, `HTTP 431`, `HTTP 200 not an envelope`, `no answer`. */
export function outcomeOf(answer: RawAnswer): string {
  if (answer.status === undefined) return "no answer";
  const envelope = envelopeOf(answer);
  if (envelope !== undefined) return `HTTP 200 code ${envelope.code}`;
  return answer.status === 200 ? "HTTP 200 not an envelope" : `HTTP ${answer.status}`;
}

/** Outcomes counted: `HTTP 200 code 303: 12, HTTP 200 code 500: 2`. */
export function tally(answers: readonly RawAnswer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(outcomeOf(a), (counts.get(outcomeOf(a)) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o}: ${n}`).join(", ");
}

/** A refusal in the envelope: HTTP 200, a code that is neither 0 (success) nor 500 (system error). */
export function isRefusal(answer: RawAnswer): boolean {
  const envelope = envelopeOf(answer);
  return envelope !== undefined && envelope.code !== 0 && envelope.code !== 500;
}

/**
 * The legitimate app, before a clause: its UI-SDK token (the initialization intent). `kept` checks afterwards that
 * the token still opens the token-protected intent (code 0): nothing hostile moved its session.
 */
export async function legitAqaraApp(target: AqaraApiTarget) {
  const init = await signedCall(target, { intent: target.intents.sdkInit, data: {} });
  const result = envelopeOf(init)?.result as { token?: unknown } | undefined;
  const token = result?.token;
  expectThat(
    envelopeOf(init)?.code === 0 && typeof token === "string" && token !== "",
    `the legitimate app's UI-SDK token (${target.intents.sdkInit}: code 0 with a token)`,
    `${outcomeOf(init)}: ${init.text.slice(0, 200)}`,
  );
  return {
    token,
    async kept(after: string): Promise<void> {
      const answer = await signedCall(target, { intent: target.intents.deviceInfo, data: {} }, token);
      expectThat(
        envelopeOf(answer)?.code === 0,
        `the legitimate app's token still accepted ${after} (${target.intents.deviceInfo} with it: code 0)`,
        `${outcomeOf(answer)}: ${answer.text.slice(0, 200)}`,
      );
    },
  };
}

/** How an unfinished body stands: still open, ended by the target, or answered. */
export type SlowBodyState = { kind: "open" } | { kind: "closed" } | { kind: "answered"; answer: RawAnswer };

/**
 * A validly signed POST that announces 1000 bytes and sends 10, then nothing. `state()` is `open` until the target
 * answers (`answered`, with the answer) or ends the connection (`closed`); `ended` settles on either.
 */
export function unfinishedAqaraBody(target: AqaraApiTarget) {
  let state: SlowBodyState = { kind: "open" };
  let req: ClientRequest | undefined;
  const ended = new Promise<void>((resolve) => {
    const settle = (next: SlowBodyState) => {
      if (state.kind === "open") state = next;
      resolve();
    };
    req = open(
      target,
      { headers: signedHeaders(target), length: 1000 },
      (answer) => settle({ kind: "answered", answer }),
      () => settle({ kind: "closed" }),
    );
    req.write('{"intent":');
  });
  return { state: () => state, ended, destroy: () => req?.destroy() };
}
