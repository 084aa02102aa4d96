import type { Clock } from "../../../../harness/clock/clock.ts";
import type { OpenApiAnswer } from "../../../../harness/protocol/aqara/envelope.ts";
import { openApiHeaders } from "../../../../harness/protocol/aqara/open-api-auth.ts";

/** One app's calls of the open API in tests: signed with its key, a fresh nonce each, `Time` on the given clock. */
export interface AqaraTestApp {
  appId: string;
  keyId: string;
  appKey: string;
}

export interface AqaraCallOptions {
  accessToken?: string;
  nonce?: string;
  time?: number;
  /** Headers over the signed ones (a forged sign, a header left out as `undefined`). */
  headers?: Record<string, string | undefined>;
  body?: string;
}

export function aqaraClient(api: string, app: AqaraTestApp, clock: Clock) {
  let count = 0;
  /** The headers of one signed request. */
  const headers = (options: AqaraCallOptions = {}): Record<string, string> => {
    count += 1;
    const signed = openApiHeaders(
      {
        appid: app.appId,
        keyid: app.keyId,
        nonce: options.nonce ?? `nonce-${count}`,
        time: String(options.time ?? clock.now()),
        ...(options.accessToken === undefined ? {} : { accesstoken: options.accessToken }),
      },
      app.appKey,
    );
    const all: Record<string, string | undefined> = { ...signed, ...options.headers };
    return Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  };
  return {
    headers,
    /** POST `{intent, data}`: the HTTP status and the envelope. */
    async call(
      intent: string,
      data: Record<string, unknown> = {},
      options: AqaraCallOptions = {},
    ): Promise<OpenApiAnswer<Record<string, unknown>> & { status: number }> {
      const response = await fetch(api, {
        method: "POST",
        headers: { ...headers(options), "content-type": "application/json" },
        body: options.body ?? JSON.stringify({ intent, data }),
      });
      const envelope = (await response.json()) as OpenApiAnswer<Record<string, unknown>>;
      return { ...envelope, status: response.status };
    },
  };
}
