import { HilfarmError } from "../errors.ts";

/**
 * - `TLS_OPENSSL`: the `openssl` binary is missing or one of its commands failed.
 * - `TLS_HANDSHAKE`: a TLS peer refused the other's certificate (or gave none it could check).
 * - `TLS_REQUEST`: an HTTPS request failed for another reason (refused connection, reset after the handshake).
 */
export type TlsErrorCode = "TLS_OPENSSL" | "TLS_HANDSHAKE" | "TLS_REQUEST";

export class TlsError extends HilfarmError {
  declare readonly code: TlsErrorCode;
  /** What the underlying layer said: an OpenSSL or Node error code (`CERT_HAS_EXPIRED`), or openssl's stderr. */
  readonly reason: string;
  constructor(code: TlsErrorCode, message: string, reason: string) {
    super(code, message);
    this.reason = reason;
  }
}
