import type { z } from "zod";
import { fail, ok, type Result, UsageError } from "../../errors.ts";
import { safeParseReporting } from "../../schema-parse.ts";
import { parseJsonSafely } from "../json-safe.ts";
import { badParameter, type CRequestError } from "./errors.ts";
import {
  type CFailure,
  type CInterfaceId,
  type CRequest,
  type CResponse,
  type CSuccess,
  cInterfaces,
  isCInterfaceId,
} from "./interfaces.ts";
import { type CResultCode, cResultDescriptions, isCResultCode } from "./result-codes.ts";

/**
 * Requests and responses of 7.3 against their schemas. Parsing is total: a body gives a typed value or a
 * `CRequestError` (1002, the field and the value named); building a response throws `UsageError` on a caller's
 * mistake.
 */

type Issue = z.core.$ZodIssue & { input?: unknown };

function issueError(issue: Issue | undefined): CRequestError {
  const field = issue?.path.map(String).join(".") || "body";
  const missing =
    issue !== undefined && "input" in issue && issue.input === undefined && issue.path.length > 0;
  const message = missing ? "required" : (issue?.message ?? "invalid");
  return badParameter(field, message, issue?.input, !missing);
}

function check<T>(schema: z.ZodType, json: unknown): Result<T, CRequestError> {
  const parsed = safeParseReporting(schema, json);
  return parsed.success ? ok(parsed.data as T) : fail(issueError(parsed.error.issues[0] as Issue));
}

/** A request body (parsed JSON) of interface `id` -> the typed request, or 1002 naming the field. Total. */
export function parseCRequest<Id extends CInterfaceId>(
  id: Id,
  json: unknown,
): Result<CRequest<Id>, CRequestError> {
  if (!isCInterfaceId(id)) return fail(badParameter("path", "no C interface", id));
  return check<CRequest<Id>>(cInterfaces[id].request, json);
}

/** The text of a request body -> as `parseCRequest`; text that is no JSON object is 1002 on `body`. Total. */
export function parseCRequestText<Id extends CInterfaceId>(
  id: Id,
  text: string | Uint8Array,
): Result<CRequest<Id>, CRequestError> {
  const body = typeof text === "string" ? text : Buffer.from(text).toString("utf8");
  const json = parseJsonSafely(body);
  if (!json.ok) return fail(badParameter("body", `expected a JSON object: ${json.reason}`, undefined, false));
  return parseCRequest(id, json.value);
}

/** A response body of interface `id` -> success (`code` 0) or failure, or 1002 naming the field. Total. */
export function parseCResponse<Id extends CInterfaceId>(
  id: Id,
  json: unknown,
): Result<CResponse<Id>, CRequestError> {
  if (!isCInterfaceId(id)) return fail(badParameter("path", "no C interface", id));
  const code = typeof json === "object" && json !== null ? (json as { code?: unknown }).code : undefined;
  const schema = code === 0 ? cInterfaces[id].response : cInterfaces[id].failure;
  return check<CResponse<Id>>(schema, json);
}

/** The result fields of a success answer, `code` aside (`desc` defaults to the code's description). */
export type CSuccessFields<Id extends CInterfaceId> = Omit<CSuccess<Id>, "code" | "desc"> & { desc?: string };
export type CFailureFields<Id extends CInterfaceId> = Omit<CFailure<Id>, "code" | "desc"> & { desc?: string };

/**
 * A valid response of interface `id`: `{code, desc, ...fields}`. `desc` defaults to 7.3.1.9's description of the
 * code (a code outside the table: that of 9999). Throws `UsageError` naming the field when the answer breaks the
 * interface's response schema.
 */
export function cResponse<Id extends CInterfaceId>(id: Id, code: 0, fields: CSuccessFields<Id>): CSuccess<Id>;
export function cResponse<Id extends CInterfaceId>(
  id: Id,
  code: Exclude<CResultCode, 0> | number,
  fields?: CFailureFields<Id>,
): CFailure<Id>;
export function cResponse<Id extends CInterfaceId>(
  id: Id,
  code: number,
  fields: Record<string, unknown> = {},
): CResponse<Id> {
  const desc = cResultDescriptions[isCResultCode(code) ? code : 9999];
  const body = { code, desc, ...fields };
  const checked = parseCResponse(id, body);
  if (!checked.ok) {
    const error = checked.error;
    throw new UsageError(error.field ?? "body", `${id} response ${error.message}`);
  }
  return checked.value;
}
