import type { Clock } from "../../../harness/clock/index.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { decryptTicketKey, encryptPassword } from "../../../harness/protocol/lock-api/password-crypto.ts";
import { signRequest } from "../../../harness/protocol/lock-api/signing.ts";
import type { LockFrame } from "./live-fuzz-lock-requests.ts";
import { within } from "./live-fuzz-net.ts";
import type { LegitOutcome, LockApiFigures } from "./live-fuzz-report.ts";

/**
 * The live fuzz's `lock-api` surface: the smart-lock open API over HTTP. Sends the hostile traffic of
 * live-fuzz-lock-requests.ts, signed by the fuzz's own client where it is signed at all, and plays the legitimate
 * client whose token and temporary password the fuzz must not move.
 */

export interface LockClient {
  clientId: string;
  /** A secret: never logged. */
  secret: string;
}

/** How the fuzz reaches the lock API: its base URL, the two clients the platform knows, the legitimate device. */
export interface LockApiAccess {
  http: string;
  legit: LockClient;
  fuzz: LockClient;
  /** The device the legitimate client keeps a temporary password on. */
  deviceId: string;
}

const REQUEST_MS = 5000;

interface Envelope {
  success?: unknown;
  code?: unknown;
  msg?: unknown;
  result?: unknown;
}

/** One signed call; the envelope, or `{}` when the answer is not one. */
async function signedCall(
  http: string,
  client: LockClient,
  token: string | undefined,
  method: string,
  target: string,
  body: string,
  clock: Clock,
): Promise<Envelope> {
  // A GET carries no body: it is signed over none.
  const sent = method === "GET" ? "" : body;
  const headers = signRequest({
    clientId: client.clientId,
    secret: client.secret,
    ...(token === undefined ? {} : { accessToken: token }),
    method,
    target,
    body: sent,
    t: clock.now(),
  });
  const request = fetch(`${http}${target}`, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    ...(method === "GET" ? {} : { body: sent }),
  });
  const answer = await within(clock, request, REQUEST_MS, `lock-api ${method} ${target.slice(0, 40)}`);
  const json = parseJsonSafely(await answer.text());
  return json.ok && typeof json.value === "object" && json.value !== null ? (json.value as Envelope) : {};
}

/** A client's token, taken once. */
async function tokenOf(http: string, client: LockClient, clock: Clock): Promise<string> {
  const answer = await signedCall(http, client, undefined, "GET", "/v1.0/token?grant_type=1", "", clock);
  const token = (answer.result as { access_token?: unknown } | undefined)?.access_token;
  if (answer.success !== true || typeof token !== "string")
    throw new Error(
      `lock-api token for ${client.clientId}: code ${String(answer.code)} ${String(answer.msg)}`,
    );
  return token;
}

/** The fuzz client's token, taken on first use. */
export class FuzzLockClient {
  private token: Promise<string> | undefined;
  constructor(
    private readonly access: LockApiAccess,
    private readonly clock: Clock,
  ) {}
  accessToken(): Promise<string> {
    this.token ??= tokenOf(this.access.http, this.access.fuzz, this.clock);
    return this.token;
  }
}

/** The headers of a hostile request, as its `signing` says. */
async function headersOf(
  frame: LockFrame,
  access: LockApiAccess,
  fuzz: FuzzLockClient,
  clock: Clock,
): Promise<Record<string, string>> {
  if (frame.signing === "none" || frame.signing === "garbage") return frame.headers;
  const stale = frame.signing === "stale";
  return signRequest({
    clientId: access.fuzz.clientId,
    secret: access.fuzz.secret,
    accessToken: await fuzz.accessToken(),
    method: frame.method,
    target: frame.target,
    body: frame.method === "GET" || frame.method === "HEAD" ? "" : frame.body,
    t: clock.now() + (stale ? 3_600_000 : 0),
  });
}

/** One hostile request; counts what came back in `figures`. `secret` is the legitimate token: no answer may show it. */
export async function sendLockApi(
  access: LockApiAccess,
  fuzz: FuzzLockClient,
  frame: LockFrame,
  figures: LockApiFigures,
  clock: Clock,
  secret: () => string | undefined,
): Promise<void> {
  const fail = (what: string) => {
    if (figures.failures.length < 20) figures.failures.push(what);
  };
  const withBody = frame.method !== "GET" && frame.method !== "HEAD";
  let init: RequestInit;
  try {
    init = {
      method: frame.method,
      headers: { ...(await headersOf(frame, access, fuzz, clock)), "content-type": "application/json" },
      ...(withBody ? { body: new Uint8Array(frame.body) } : {}),
    };
  } catch {
    figures.notSent++;
    return;
  }
  const shown = `${frame.signing} ${frame.method} ${frame.target.slice(0, 60)} (${withBody ? frame.body.length : 0} bytes)`;
  try {
    const answer = await within(clock, fetch(`${access.http}${frame.target}`, init), REQUEST_MS, "lock-api");
    const text = await answer.text();
    figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
    if (answer.status >= 500) return fail(`${shown}: HTTP ${answer.status}`);
    const token = secret();
    if (token !== undefined && text.includes(token))
      return fail(`${shown}: the answer shows the legitimate token`);
    if (answer.status !== 200) return;
    const json = parseJsonSafely(text);
    const envelope =
      json.ok && typeof json.value === "object" && json.value !== null ? (json.value as Envelope) : {};
    if (typeof envelope.success !== "boolean") return fail(`${shown}: HTTP 200 without the envelope`);
    const code = envelope.success ? "success" : String(envelope.code);
    figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
    // 500 is what the surface answers when a handler throws: a hostile body got past the checks.
    if (envelope.code === 500) fail(`${shown}: code 500 ${String(envelope.msg).slice(0, 200)}`);
  } catch (error) {
    if (error instanceof TypeError && /header|Headers/i.test(error.message)) figures.notSent++;
    else figures.noAnswer++;
  }
}

/**
 * The legitimate client: takes its token and creates a temporary password on its device before the fuzz; each
 * check it reads that password back with the same token, which must still be answered.
 */
export class LegitLockClient {
  readonly outcome: LegitOutcome;
  token: string | undefined;
  private passwordId: unknown;

  constructor(
    private readonly access: LockApiAccess,
    private readonly clock: Clock,
  ) {
    this.outcome = {
      deviceId: access.deviceId,
      transport: "lock-api",
      keptSession: true,
      lost: [],
      heartbeats: { sent: 0, answered: 0, retransmitted: 0 },
    };
  }

  private call(method: string, target: string, body: unknown = {}): Promise<Envelope> {
    const { http, legit } = this.access;
    return signedCall(http, legit, this.token, method, target, JSON.stringify(body), this.clock);
  }

  /** Token, ticket, then a temporary password sealed under the ticket's key. Throws when any is refused. */
  async start(): Promise<void> {
    const { deviceId, legit } = this.access;
    this.token = await tokenOf(this.access.http, legit, this.clock);
    const ticket = await this.call("POST", `/v1.0/devices/${deviceId}/door-lock/password-ticket`);
    const sealed = ticket.result as { ticket_id?: string; ticket_key?: string } | undefined;
    const key = decryptTicketKey(sealed?.ticket_key ?? "", legit.secret);
    if (ticket.success !== true || !key.ok)
      throw new Error(`legit lock-api ticket: code ${String(ticket.code)}`);
    const nowS = Math.floor(this.clock.now() / 1000);
    const created = await this.call("POST", `/v1.0/devices/${deviceId}/door-lock/temp-password`, {
      name: "legit",
      password: encryptPassword("2468024", key.value),
      password_type: "ticket",
      ticket_id: sealed?.ticket_id,
      effective_time: nowS,
      invalid_time: nowS + 86_400,
    });
    this.passwordId = (created.result as { id?: unknown } | undefined)?.id;
    if (created.success !== true) throw new Error(`legit lock-api password: code ${String(created.code)}`);
  }

  lose(why: string): void {
    this.outcome.keptSession = false;
    if (this.outcome.lost.length < 10) this.outcome.lost.push(why);
  }

  /** Its password read back with its token: answered, the same password. */
  async heartbeat(): Promise<boolean> {
    this.outcome.heartbeats.sent++;
    try {
      const { deviceId } = this.access;
      const got = await this.call(
        "GET",
        `/v1.0/devices/${deviceId}/door-lock/temp-password/${this.passwordId}`,
      );
      const id = (got.result as { id?: unknown } | undefined)?.id;
      if (got.success !== true || id !== this.passwordId) {
        this.lose(
          `its temporary password read back: code ${String(got.code)} ${String(got.msg).slice(0, 200)}`,
        );
        return false;
      }
      this.outcome.heartbeats.answered++;
      return true;
    } catch (error) {
      this.lose(`lock-api: ${(error as Error).message}`);
      return false;
    }
  }
}
