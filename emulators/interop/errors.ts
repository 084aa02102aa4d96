import { HilfarmError } from "../../harness/errors.ts";
import type { CInterfaceId } from "../../harness/protocol/c/index.ts";

/**
 * What a call of C21-C31 can fail with, on the client's side (7.1.2, 7.3.2). Messages name the interface, its path
 * and, where there is one, the HTTP status; never a token or a key.
 * - `C_TIMEOUT`: no answer within `timeoutMs` (on the client's clock).
 * - `C_TRANSPORT`: the request did not get through (`reason`: `TLS_HANDSHAKE`, `TLS_REQUEST`, or the error's code).
 * - `C_HTTP_STATUS`: an answer whose HTTP status is not 2xx.
 * - `C_NOT_JSON`: a 2xx answer whose body is no JSON.
 * - `C_BAD_ANSWER`: a JSON answer that breaks the interface's response schema (`field` names what is wrong).
 * - `C_TOKEN_REFUSED`: C21 answered a failure code (unknown `cloudId`, wrong `cloudKey`: 1002).
 * - `C_TOKEN_INVALID`: 1001 again with a token fetched just before (7.3.2.12).
 */
export type ThirdPartyErrorCode =
  | "C_TIMEOUT"
  | "C_TRANSPORT"
  | "C_HTTP_STATUS"
  | "C_NOT_JSON"
  | "C_BAD_ANSWER"
  | "C_TOKEN_REFUSED"
  | "C_TOKEN_INVALID";

export interface ThirdPartyErrorDetails {
  status?: number;
  field?: string;
  /** The result code of a failure answer. */
  resultCode?: number;
  /** What the layer below said: `TLS_HANDSHAKE`, `ECONNREFUSED`, ... */
  reason?: string;
  cause?: unknown;
}

export class ThirdPartyError extends HilfarmError {
  declare readonly code: ThirdPartyErrorCode;
  readonly interfaceId: CInterfaceId;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly resultCode: number | undefined;
  readonly reason: string | undefined;
  constructor(
    code: ThirdPartyErrorCode,
    interfaceId: CInterfaceId,
    message: string,
    details: ThirdPartyErrorDetails = {},
  ) {
    super(code, message);
    this.interfaceId = interfaceId;
    this.status = details.status;
    this.field = details.field;
    this.resultCode = details.resultCode;
    this.reason = details.reason;
    if (details.cause !== undefined) this.cause = details.cause;
  }
}
