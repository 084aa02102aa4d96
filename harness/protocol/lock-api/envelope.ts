import { z } from "zod";
import { fail, ok, type Result, WireError } from "../../errors.ts";
import type { LockApiError } from "./errors.ts";

/**
 * The response envelope of every lock-API answer (seed, "Response parameter" of each API): `success`, `t` (the
 * response time, milliseconds), `result` on success, `code` and `msg` on failure.
 * A refused request is still HTTP 200 with `success: false`: the vendor's SDKs take any other status for a transport
 * failure and never read the body (docs/protocol-readings.md, "Smart-lock open API").
 */
export const LOCK_API_HTTP_STATUS = 200;

export interface LockApiSuccess<T> {
  success: true;
  result: T;
  t: number;
}

export interface LockApiFailure {
  success: false;
  code: number;
  msg: string;
  t: number;
}

export type LockApiEnvelope<T> = LockApiSuccess<T> | LockApiFailure;

export function successEnvelope<T>(result: T, t: number): LockApiSuccess<T> {
  return { success: true, result, t };
}

/** The failure envelope of a refused request: the error's wire code and its message (which names field and value). */
export function failureEnvelope(error: LockApiError, t: number): LockApiFailure {
  return { success: false, code: error.apiCode, msg: error.message, t };
}

const envelopeSchema = z.union([
  z.looseObject({ success: z.literal(true), result: z.unknown(), t: z.number().int() }),
  z.looseObject({ success: z.literal(false), code: z.number().int(), msg: z.string(), t: z.number().int() }),
]);

export type EnvelopeErrorCode = "LOCK_API_ENVELOPE";

/**
 * A caller's reading of an answer's JSON text (clients, suites): the envelope, or a `WireError` naming what is wrong.
 * A success's `result` is returned as it came; the endpoint's own schema checks it. Total: nothing from the wire throws.
 */
export function parseEnvelope(text: string): Result<LockApiEnvelope<unknown>, WireError<EnvelopeErrorCode>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(new WireError("LOCK_API_ENVELOPE", "answer: not JSON"));
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "success";
    return fail(
      new WireError("LOCK_API_ENVELOPE", `answer: ${field}: ${issue?.message ?? "invalid"}`, field),
    );
  }
  const value = parsed.data;
  return ok(
    value.success
      ? { success: true, result: value.result, t: value.t }
      : { success: false, code: value.code, msg: value.msg, t: value.t },
  );
}
