import { z } from "zod";
import { type AqaraError, aqaraCodes } from "./errors.ts";

/**
 * The open API's envelopes (seed, "Request demo" and "Response demo"): a request is `{intent, data}`, an answer
 * `{code, requestId, message, msgDetails, result}` (`result` absent where the seed shows none).
 */
export const OpenApiRequestSchema = z.looseObject({
  intent: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
});

export type OpenApiRequest = z.infer<typeof OpenApiRequestSchema>;

export interface OpenApiAnswer<T = unknown> {
  code: number;
  requestId: string;
  message: string;
  msgDetails: string | null;
  result?: T;
}

export function successAnswer<T>(requestId: string, result?: T): OpenApiAnswer<T> {
  return {
    code: aqaraCodes.success.code,
    requestId,
    message: aqaraCodes.success.message,
    msgDetails: null,
    ...(result === undefined ? {} : { result }),
  };
}

/** A refusal: the table's `message`, the detail (field and value at fault) in `msgDetails`. */
export function failureAnswer(requestId: string, error: AqaraError): OpenApiAnswer<never> {
  return {
    code: error.apiCode,
    requestId,
    message: aqaraCodes[error.code].message,
    msgDetails: error.detail ?? null,
  };
}

/** The UI-SDK initialization parameters (seed, "Get UI-SDK initialization parameter interface"). */
export const SdkInitParamsSchema = z.strictObject({
  userId: z.string(),
  token: z.string(),
  appRequestDomain: z.string(),
  expiresIn: z.number().int(),
  positionId: z.string(),
  baseH5Url: z.string(),
  baseImageUrl: z.string(),
  appId: z.string(),
  appKey: z.string(),
});

export type SdkInitParams = z.infer<typeof SdkInitParamsSchema>;

/**
 * The intents (the seed's demos leave them blank): hilfarm's reading, which a surface may replace (an option).
 */
export const DEFAULT_INTENTS = {
  sdkInit: "query.appsdk.initparams",
  tokenExpired: "notify.appsdk.tokenexpired",
} as const;
