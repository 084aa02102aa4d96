import type { Clock, Timer } from "../../harness/clock/index.ts";
import { HilfarmError, UsageError } from "../../harness/errors.ts";
import type { Logger } from "../../harness/log/index.ts";
import {
  type CInterfaceId,
  type CResponse,
  cInterfaces,
  cResultCodes,
  cResultName,
  formatSequenceNo,
  parseCResponse,
  randomSerial,
} from "../../harness/protocol/c/index.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import type { Random } from "../../harness/random/index.ts";
import { ThirdPartyError } from "../interop/errors.ts";
import type { CTransport } from "../interop/transport.ts";
import type { NotifyId } from "./notifications.ts";

/**
 * The third party's client of the interfaces the smart-home platform serves (7.3.1): C11 for a token, C12-C18 with
 * it. Every call is a POST of a JSON body to `{url}<path>` (7.1.2) with a `sequenceNo` (`YYYYMMDDHHMMSS` + 4 random
 * digits) and, but for C11, the `access_token`. The token is cached until its `expiredAt` on the clock; a 1001
 * fetches one new token and retries once (7.3.1.9). Errors are `ThirdPartyError`s naming the interface.
 */
export interface SmartHomeClientOptions {
  /** `https://{domain}` of the smart-home platform's C11-C18 server. */
  url: string;
  /** 7.3.1.1: the ids exchanged offline (7.2 step 1). */
  platformId: string;
  platformKey: string;
  transport: CTransport;
  clock: Clock;
  random: Random;
  /** Longest wait for one HTTP exchange, on `clock`. */
  timeoutMs: number;
  logger?: Logger;
}

interface CachedToken {
  readonly access_token: string;
  readonly expiredAt: number;
}

const HEADERS = { "content-type": "application/json; charset=utf-8", accept: "application/json" };

export class SmartHomeClient {
  readonly #options: SmartHomeClientOptions;
  readonly #base: string;
  #token: CachedToken | undefined;
  #fetching: Promise<CachedToken> | undefined;

  constructor(options: SmartHomeClientOptions) {
    if (!/^https?:\/\/./.test(options.url))
      throw new UsageError(
        "smartHome.url",
        `smartHome.url: expected https://{domain}, got ${JSON.stringify(options.url)}`,
      );
    if (options.platformId === "")
      throw new UsageError("platformId", "platformId: expected a non-empty string");
    if (options.platformKey === "")
      throw new UsageError("platformKey", "platformKey: expected a non-empty string");
    this.#options = options;
    this.#base = options.url.replace(/\/+$/, "");
  }

  /** Makes `id` (C12-C18) with `fields` (`deviceSN` and the rest, no token or sequenceNo) and returns its answer. */
  async call(id: NotifyId, fields: Readonly<Record<string, unknown>>): Promise<CResponse<NotifyId>> {
    const token = await this.#validToken();
    const answer = await this.#post(id, {
      ...fields,
      access_token: token.access_token,
      sequenceNo: this.#seq(),
    });
    if (answer.code !== cResultCodes.tokenInvalid) return answer;
    // 7.3.1.9: 1001 "Token 失效": one new token, one retry.
    if (this.#token === token) this.#token = undefined;
    const renewed = await this.#validToken();
    const retried = await this.#post(id, {
      ...fields,
      access_token: renewed.access_token,
      sequenceNo: this.#seq(),
    });
    if (retried.code === cResultCodes.tokenInvalid)
      throw new ThirdPartyError(
        "C_TOKEN_INVALID",
        id,
        `${id} ${cInterfaces[id].path}: 1001 again with a new token`,
        {
          resultCode: retried.code,
        },
      );
    return retried;
  }

  #seq(): string {
    return formatSequenceNo(this.#options.clock.now(), randomSerial(this.#options.random));
  }

  #validToken(): Promise<CachedToken> {
    const token = this.#token;
    if (token !== undefined && this.#options.clock.now() < token.expiredAt) return Promise.resolve(token);
    this.#fetching ??= this.#requestToken().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #requestToken(): Promise<CachedToken> {
    const { platformId, platformKey } = this.#options;
    const answer = await this.#post("C11", { platformId, platformKey, sequenceNo: this.#seq() });
    if (answer.code !== cResultCodes.success || !("access_token" in answer))
      throw new ThirdPartyError(
        "C_TOKEN_REFUSED",
        "C11",
        `C11 ${cInterfaces.C11.path}: refused with code ${answer.code} (${cResultName(answer.code)})`,
        { resultCode: answer.code },
      );
    const token = { access_token: String(answer.access_token), expiredAt: Number(answer.expiredAt) };
    this.#token = token;
    return token;
  }

  async #post<Id extends CInterfaceId>(id: Id, body: Record<string, unknown>): Promise<CResponse<Id>> {
    const { clock, timeoutMs, transport, logger } = this.#options;
    const where = `${id} ${cInterfaces[id].path}`;
    const controller = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () => {
          reject(new ThirdPartyError("C_TIMEOUT", id, `${where}: no answer within ${timeoutMs} ms`));
          controller.abort();
        },
        timeoutMs,
        `c-notify-call:${id}`,
      );
    });
    let response: { status: number; body: string };
    try {
      const sent = transport(`${this.#base}${cInterfaces[id].path}`, {
        method: "POST",
        headers: HEADERS,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      response = await Promise.race([sent, timedOut]);
    } catch (error) {
      if (error instanceof ThirdPartyError) throw error;
      const reason = error instanceof HilfarmError ? error.code : undefined;
      const text = error instanceof Error ? error.message : String(error);
      throw new ThirdPartyError("C_TRANSPORT", id, `${where}: the request failed: ${text}`, {
        cause: error,
        ...(reason === undefined ? {} : { reason }),
      });
    } finally {
      timer?.cancel();
    }
    const { status } = response;
    if (status < 200 || status > 299)
      throw new ThirdPartyError("C_HTTP_STATUS", id, `${where}: HTTP ${status}`, { status });
    const json = parseJsonSafely(response.body);
    if (!json.ok)
      throw new ThirdPartyError("C_NOT_JSON", id, `${where}: HTTP ${status}, the body is no JSON`, {
        status,
      });
    const parsed = parseCResponse(id, json.value);
    if (!parsed.ok)
      throw new ThirdPartyError("C_BAD_ANSWER", id, `${where}: the answer ${parsed.error.message}`, {
        status,
        ...(parsed.error.field === undefined ? {} : { field: parsed.error.field }),
      });
    logger?.debug(
      { interface: id, status, code: parsed.value.code, sequenceNo: body.sequenceNo },
      "C answer",
    );
    return parsed.value;
  }
}
