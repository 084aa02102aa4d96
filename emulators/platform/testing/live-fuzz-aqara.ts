import { randomBytes } from "node:crypto";
import type { Clock } from "../../../harness/clock/index.ts";
import { type OpenApiSignedHeaders, openApiHeaders } from "../../../harness/protocol/aqara/open-api-auth.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { AQARA_INTENTS } from "../aqara/intents.ts";
import type { AqaraFrame } from "./live-fuzz-aqara-requests.ts";
import { REUSED_NONCE } from "./live-fuzz-aqara-requests.ts";
import { within } from "./live-fuzz-net.ts";
import type { AqaraFigures, LegitOutcome } from "./live-fuzz-report.ts";

/**
 * The live fuzz's `aqara` surface: the Aqara-style open API over HTTP. Sends the hostile traffic of
 * live-fuzz-aqara-requests.ts, signed by the fuzz's own app where it is signed at all, and plays the legitimate app
 * whose UI-SDK token the fuzz must not move.
 */

export interface AqaraFuzzApp {
  appId: string;
  keyId: string;
  /** A secret: never logged. */
  appKey: string;
}

/** How the fuzz reaches the open API: its URL, the two apps the platform knows, a device the legitimate app asks about. */
export interface AqaraAccess {
  api: string;
  legit: AqaraFuzzApp;
  fuzz: AqaraFuzzApp;
  deviceId: string;
}

const REQUEST_MS = 5000;

interface Envelope {
  code?: unknown;
  requestId?: unknown;
  message?: unknown;
  msgDetails?: unknown;
  result?: unknown;
}

/** The signed headers of one request of `app` at `now`, with a fresh nonce unless given one; `Time` off by `skewMs`. */
function signedHeaders(
  app: AqaraFuzzApp,
  token: string | undefined,
  now: number,
  nonce?: string,
  skewMs = 0,
) {
  const signed: OpenApiSignedHeaders = {
    appid: app.appId,
    keyid: app.keyId,
    nonce: nonce ?? randomBytes(12).toString("hex"),
    time: String(now + skewMs),
    ...(token === undefined ? {} : { accesstoken: token }),
  };
  return openApiHeaders(signed, app.appKey);
}

/** One signed intent; the envelope, or `{}` when the answer is not one. */
async function signedCall(
  api: string,
  app: AqaraFuzzApp,
  token: string | undefined,
  intent: string,
  data: Record<string, unknown>,
  clock: Clock,
): Promise<Envelope> {
  const request = fetch(api, {
    method: "POST",
    headers: { ...signedHeaders(app, token, clock.now()), "content-type": "application/json" },
    body: JSON.stringify({ intent, data }),
  });
  const answer = await within(clock, request, REQUEST_MS, `aqara ${intent}`);
  const json = parseJsonSafely(await answer.text());
  return json.ok && typeof json.value === "object" && json.value !== null ? (json.value as Envelope) : {};
}

/** An app's UI-SDK token, taken once. */
async function tokenOf(api: string, app: AqaraFuzzApp, clock: Clock): Promise<string> {
  const answer = await signedCall(api, app, undefined, AQARA_INTENTS.sdkInit, {}, clock);
  const token = (answer.result as { token?: unknown } | undefined)?.token;
  if (answer.code !== 0 || typeof token !== "string")
    throw new Error(`aqara token for ${app.appId}: code ${String(answer.code)} ${String(answer.message)}`);
  return token;
}

/** The fuzz app's token, taken on first use. */
export class FuzzAqaraApp {
  private token: Promise<string> | undefined;
  constructor(
    private readonly access: AqaraAccess,
    private readonly clock: Clock,
  ) {}
  accessToken(): Promise<string> {
    this.token ??= tokenOf(this.access.api, this.access.fuzz, this.clock);
    return this.token;
  }
}

/** The headers of a hostile request, as its `signing` and `token` say. */
async function headersOf(frame: AqaraFrame, access: AqaraAccess, fuzz: FuzzAqaraApp, clock: Clock) {
  if (frame.signing === "none" || frame.signing === "garbage") return frame.headers;
  const token =
    frame.token === "own"
      ? await fuzz.accessToken()
      : frame.token === "never-issued"
        ? randomBytes(16).toString("hex")
        : undefined;
  const nonce = frame.signing === "reused" ? REUSED_NONCE : undefined;
  const skew = frame.signing === "stale" ? -3_600_000 : 0;
  const signed = signedHeaders(access.fuzz, token, clock.now(), nonce, skew);
  return frame.signing === "forged" ? { ...signed, ...frame.headers } : signed;
}

/** One hostile request; counts what came back in `figures`. `secret` is the legitimate token: no answer may show it. */
export async function sendAqara(
  access: AqaraAccess,
  fuzz: FuzzAqaraApp,
  frame: AqaraFrame,
  figures: AqaraFigures,
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
  const shown = `${frame.signing}/${frame.token} ${frame.method} ${frame.target.slice(0, 60)} (${withBody ? frame.body.length : 0} bytes: ${JSON.stringify(frame.body.subarray(0, 80).toString("latin1"))})`;
  try {
    const url = `${new URL(access.api).origin}${frame.target}`;
    const answer = await within(clock, fetch(url, init), REQUEST_MS, "aqara");
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
    if (typeof envelope.code !== "number" || typeof envelope.requestId !== "string")
      return fail(`${shown}: HTTP 200 without the envelope`);
    const code = String(envelope.code);
    figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
    // 500 is what the surface answers when a handler throws: a hostile request got past the checks.
    if (envelope.code === 500) fail(`${shown}: code 500 ${String(envelope.msgDetails).slice(0, 200)}`);
  } catch (error) {
    if (error instanceof TypeError && /header|Headers/i.test(error.message)) figures.notSent++;
    else figures.noAnswer++;
  }
}

/**
 * The legitimate app: takes its UI-SDK token before the fuzz; each check asks `query.device.info` about its device
 * with that token, which must still be answered (code 0).
 */
export class LegitAqaraApp {
  readonly outcome: LegitOutcome;
  token: string | undefined;

  constructor(
    private readonly access: AqaraAccess,
    private readonly clock: Clock,
  ) {
    this.outcome = {
      deviceId: access.deviceId,
      transport: "aqara",
      keptSession: true,
      lost: [],
      heartbeats: { sent: 0, answered: 0, retransmitted: 0 },
    };
  }

  /** Its UI-SDK token. Throws when refused. */
  async start(): Promise<void> {
    this.token = await tokenOf(this.access.api, this.access.legit, this.clock);
  }

  lose(why: string): void {
    this.outcome.keptSession = false;
    if (this.outcome.lost.length < 10) this.outcome.lost.push(why);
  }

  /** Its device asked about with its token: code 0, the device in the answer. */
  async heartbeat(): Promise<boolean> {
    this.outcome.heartbeats.sent++;
    try {
      const { api, legit, deviceId } = this.access;
      const got = await signedCall(
        api,
        legit,
        this.token,
        AQARA_INTENTS.deviceInfo,
        { dids: [deviceId] },
        this.clock,
      );
      const devices = (got.result as { data?: Array<{ did?: unknown }> } | undefined)?.data;
      if (got.code !== 0 || !Array.isArray(devices) || !devices.some((d) => d.did === deviceId)) {
        this.lose(
          `query.device.info with its token: code ${String(got.code)} ${String(got.msgDetails).slice(0, 200)}`,
        );
        return false;
      }
      this.outcome.heartbeats.answered++;
      return true;
    } catch (error) {
      this.lose(`aqara: ${(error as Error).message}`);
      return false;
    }
  }
}
