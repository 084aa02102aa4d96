import type { Clock, Timer } from "../../harness/clock/index.ts";
import { HilfarmError, UsageError } from "../../harness/errors.ts";
import type { Logger } from "../../harness/log/index.ts";
import {
  type CInterfaceId,
  type CRequest,
  type CResponse,
  type CSuccess,
  cInterfaces,
  cResultCodes,
  cResultName,
  formatSequenceNo,
  parseCRequest,
  parseCResponse,
  randomSerial,
} from "../../harness/protocol/c/index.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import type { Random } from "../../harness/random/index.ts";
import { ThirdPartyError } from "./errors.ts";
import type { CTransport, CTransportResponse } from "./transport.ts";

/**
 * The smart-home platform's client of the interfaces the third-party platform serves (7.3.2): C21 for a token,
 * C22-C31 with it. Every call is a POST of a JSON body to `{baseUrl}<path>` (7.1.2) carrying a `sequenceNo` the
 * client writes (`YYYYMMDDHHMMSS` + 4 random digits, design section 10) and, but for C21, the `access_token`.
 */

/** The interfaces `call` makes; C21 is made by the client itself. */
export const thirdPartyCallIds = [
  "C22",
  "C23",
  "C24",
  "C25",
  "C26",
  "C27",
  "C28",
  "C29",
  "C30",
  "C31",
] as const;
export type ThirdPartyCallId = (typeof thirdPartyCallIds)[number];

/** A request as the caller gives it: the client fills `sequenceNo` and `access_token`. */
export type ThirdPartyRequest<Id extends ThirdPartyCallId> = {
  [K in keyof CRequest<Id> as K extends "sequenceNo" | "access_token" ? never : K]: CRequest<Id>[K];
};

export interface ThirdPartyClientOptions {
  /** `https://{domain}` (7.1.2), optionally with a path prefix; the interface's path is appended. */
  baseUrl: string;
  /** 7.3.2.1: the smart-home platform's id and key, exchanged offline (7.2 step 1). */
  cloudId: string;
  cloudKey: string;
  transport: CTransport;
  clock: Clock;
  /** Draws the 4 serial digits of each `sequenceNo`. */
  random: Random;
  /** Longest wait for one HTTP exchange (a C21, a call, its retry), on `clock`. */
  timeoutMs: number;
  /** Debug lines per exchange: interface, status, code and `sequenceNo`; never a token or a key. */
  logger?: Logger;
}

interface CachedToken {
  readonly access_token: string;
  /** 7.3.2.1: absolute, in milliseconds; the token is valid while `now < expiredAt`. */
  readonly expiredAt: number;
}

/** True for a success answer (`code` 0). */
export function isCSuccess<Id extends CInterfaceId>(answer: CResponse<Id>): answer is CSuccess<Id> {
  return answer.code === cResultCodes.success;
}

const isCallId = (id: unknown): id is ThirdPartyCallId =>
  typeof id === "string" && (thirdPartyCallIds as readonly string[]).includes(id);

/** Stands in for the token while a request is checked, so that a bad request costs no C21. */
const PLACEHOLDER_TOKEN = "placeholder";

const HEADERS = { "content-type": "application/json; charset=utf-8", accept: "application/json" };

export class ThirdPartyClient {
  readonly #base: string;
  readonly #cloudId: string;
  readonly #cloudKey: string;
  readonly #transport: CTransport;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  #token: CachedToken | undefined;
  #fetching: Promise<CachedToken> | undefined;

  constructor(options: ThirdPartyClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new UsageError(
        "baseUrl",
        `baseUrl: expected an absolute URL, got ${JSON.stringify(options.baseUrl)}`,
      );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new UsageError("baseUrl", `baseUrl: expected https://{domain} (7.1.2), got ${url.protocol}`);
    if (options.cloudId.length === 0) throw new UsageError("cloudId", "cloudId: expected a non-empty string");
    if (options.cloudKey.length === 0)
      throw new UsageError("cloudKey", "cloudKey: expected a non-empty string");
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)
      throw new UsageError("timeoutMs", `timeoutMs: expected a positive number, got ${options.timeoutMs}`);
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#cloudId = options.cloudId;
    this.#cloudKey = options.cloudKey;
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#timeoutMs = options.timeoutMs;
    this.#logger = options.logger;
  }

  /**
   * Makes interface `id` (C22-C31) and returns its answer: a success, or a failure code other than 1001 (1002,
   * 1003, 9999 are the peer's word on the request and are the caller's to judge). Throws `UsageError` naming the
   * field when the request breaks its schema (nothing is sent), `ThirdPartyError` when no valid answer comes.
   */
  async call<Id extends ThirdPartyCallId>(id: Id, request: ThirdPartyRequest<Id>): Promise<CResponse<Id>> {
    if (!isCallId(id)) throw new UsageError("id", `id: expected one of C22-C31, got ${String(id)}`);
    const fields = request as Record<string, unknown>;
    const checked = parseCRequest(id, {
      ...fields,
      access_token: PLACEHOLDER_TOKEN,
      sequenceNo: this.#sequenceNo(),
    });
    if (!checked.ok)
      throw new UsageError(checked.error.field ?? "request", `${id} request ${checked.error.message}`);
    const token = await this.#validToken();
    const answer = await this.#post(id, this.#body(fields, token));
    if (answer.code !== cResultCodes.tokenInvalid) return answer;
    // 7.3.2.12: 1001 "Token 失效": one new token, one retry.
    const renewed = await this.#renewedToken(token);
    const retried = await this.#post(id, this.#body(fields, renewed));
    if (retried.code === cResultCodes.tokenInvalid)
      throw new ThirdPartyError(
        "C_TOKEN_INVALID",
        id,
        `${id} ${cInterfaces[id].path}: 1001 (token invalid) again with a token fetched by C21 just before`,
        { resultCode: retried.code },
      );
    return retried;
  }

  /** Forgets the cached token: the next call starts with a C21. */
  forgetToken(): void {
    this.#token = undefined;
  }

  #body(fields: Record<string, unknown>, token: CachedToken): Record<string, unknown> {
    return { ...fields, access_token: token.access_token, sequenceNo: this.#sequenceNo() };
  }

  #sequenceNo(): string {
    return formatSequenceNo(this.#clock.now(), randomSerial(this.#random));
  }

  /** The cached token while it is valid on the clock, else a new one; calls meanwhile share one C21. */
  #validToken(): Promise<CachedToken> {
    const token = this.#token;
    if (token !== undefined && this.#clock.now() < token.expiredAt) return Promise.resolve(token);
    return this.#fetchToken();
  }

  /** After a 1001 on `used`: a token another call has fetched since, or a new one. */
  #renewedToken(used: CachedToken): Promise<CachedToken> {
    if (this.#token === used) this.#token = undefined;
    if (this.#token !== undefined) return this.#validToken();
    return this.#fetchToken();
  }

  #fetchToken(): Promise<CachedToken> {
    this.#fetching ??= this.#requestToken().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #requestToken(): Promise<CachedToken> {
    const answer = await this.#post("C21", {
      cloudId: this.#cloudId,
      cloudKey: this.#cloudKey,
      sequenceNo: this.#sequenceNo(),
    });
    if (!isCSuccess<"C21">(answer)) {
      // `desc` is the peer's text: left out, as it may repeat what was sent.
      throw new ThirdPartyError(
        "C_TOKEN_REFUSED",
        "C21",
        `C21 ${cInterfaces.C21.path}: refused with code ${answer.code} (${cResultName(answer.code)})`,
        { resultCode: answer.code },
      );
    }
    const token: CachedToken = { access_token: answer.access_token, expiredAt: answer.expiredAt };
    this.#token = token;
    return token;
  }

  /** One exchange: POST the body, wait at most `timeoutMs`, check status, JSON and schema. */
  async #post<Id extends CInterfaceId>(id: Id, body: Record<string, unknown>): Promise<CResponse<Id>> {
    const { path } = cInterfaces[id];
    const where = `${id} ${path}`;
    const controller = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(
        () => {
          reject(new ThirdPartyError("C_TIMEOUT", id, `${where}: no answer within ${this.#timeoutMs} ms`));
          controller.abort();
        },
        this.#timeoutMs,
        `c-call:${id}`,
      );
    });
    let response: CTransportResponse;
    try {
      const sent = this.#transport(`${this.#base}${path}`, {
        method: "POST",
        headers: HEADERS,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      response = await Promise.race([sent, timedOut]);
    } catch (error) {
      if (error instanceof ThirdPartyError) throw error;
      throw transportError(id, where, error);
    } finally {
      timer?.cancel();
    }
    const { status } = response;
    const logged = { interface: id, status, sequenceNo: body.sequenceNo };
    if (status < 200 || status > 299) {
      this.#logger?.debug(logged, "C answer: HTTP status");
      throw new ThirdPartyError("C_HTTP_STATUS", id, `${where}: HTTP ${status}`, { status });
    }
    const json = parseJsonSafely(response.body);
    if (!json.ok) {
      this.#logger?.debug(logged, "C answer: no JSON");
      // The parser's message quotes the body: left out, as the body may hold a token.
      throw new ThirdPartyError(
        "C_NOT_JSON",
        id,
        `${where}: HTTP ${status}, the body is no JSON (${Buffer.byteLength(response.body)} bytes)`,
        { status },
      );
    }
    const parsed = parseCResponse(id, json.value);
    if (!parsed.ok) {
      this.#logger?.debug(logged, "C answer: breaks its schema");
      // The codec's message masks secret fields (`access_token` shows as [redacted]).
      throw new ThirdPartyError(
        "C_BAD_ANSWER",
        id,
        `${where}: HTTP ${status}, the answer ${parsed.error.message}`,
        {
          status,
          ...(parsed.error.field === undefined ? {} : { field: parsed.error.field }),
        },
      );
    }
    this.#logger?.debug({ ...logged, code: parsed.value.code }, "C answer");
    return parsed.value;
  }
}

function transportError(id: CInterfaceId, where: string, error: unknown): ThirdPartyError {
  const coded = error as { code?: unknown; message?: unknown };
  const reason =
    error instanceof HilfarmError ? error.code : typeof coded?.code === "string" ? coded.code : undefined;
  const text = error instanceof Error ? error.message : String(error);
  return new ThirdPartyError("C_TRANSPORT", id, `${where}: the request failed: ${text}`, {
    cause: error,
    ...(reason === undefined ? {} : { reason }),
  });
}
