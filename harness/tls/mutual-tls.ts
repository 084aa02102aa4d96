import type { IncomingHttpHeaders } from "node:http";
import { Agent, type AgentOptions, request, type ServerOptions } from "node:https";
import type { SecureVersion } from "node:tls";
import { TlsError } from "./tls-error.ts";
import type { TlsMaterial } from "./tls-material.ts";

const MIN_VERSION: SecureVersion = "TLSv1.2";

/** What a client needs: the CAs it trusts, and its own certificate and key unless it goes without one. */
export type ClientMaterial = Pick<TlsMaterial, "ca"> & Partial<Pick<TlsMaterial, "cert" | "key">>;

/**
 * `https.createServer` options for mutual TLS (spec 7.1.2, 7.1.4): the server asks every client for a certificate
 * and ends the handshake when there is none or it does not chain to `material.ca`.
 */
export function serverOptions(material: TlsMaterial): ServerOptions {
  return {
    cert: material.cert,
    key: material.key,
    ca: material.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: MIN_VERSION,
  };
}

/** `https.request` / `https.Agent` options: the client checks the server against `material.ca`. */
export function clientOptions(material: ClientMaterial): AgentOptions {
  return {
    ca: material.ca,
    ...(material.cert === undefined ? {} : { cert: material.cert }),
    ...(material.key === undefined ? {} : { key: material.key }),
    rejectUnauthorized: true,
    minVersion: MIN_VERSION,
  };
}

/** An agent for clients that take one; sockets are not kept, so a changed certificate takes effect at once. */
export function clientAgent(material: ClientMaterial): Agent {
  return new Agent({ ...clientOptions(material), keepAlive: false });
}

export interface TlsRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** The most bytes of an answer's body kept (default `TLS_ANSWER_LIMIT`): past it the request is cut and refused. */
  maxAnswerBytes?: number;
}

/** 1 MiB: answers on C are small JSON; a peer streaming more would otherwise fill this process's memory. */
export const TLS_ANSWER_LIMIT = 1024 * 1024;

export interface TlsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text (answers on C are JSON). */
  body: string;
}

/** Codes of Node's certificate checks; an `ERR_SSL_*` code is OpenSSL's, or an alert from the peer. */
const CERTIFICATE_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_PURPOSE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function isHandshakeRefusal(code: string): boolean {
  return CERTIFICATE_CODES.has(code) || code.startsWith("ERR_SSL_");
}

/**
 * One HTTPS request with this material (`fetch` in Node 20 takes no agent). Resolves with any HTTP status; rejects
 * with a `TlsError`: `TLS_HANDSHAKE` when either side refused the other's certificate (`reason` holds the code, such
 * as `UNABLE_TO_VERIFY_LEAF_SIGNATURE` or `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`), `TLS_REQUEST` for anything
 * else.
 *
 * A Node server that refuses a client's certificate (other CA, expired) sends no alert: it completes the handshake,
 * then destroys the socket before any HTTP (in TLS 1.2 before its Finished). In TLS 1.3 the client's side of the handshake also ends before the server
 * has checked its certificate. So a connection ended during the handshake, or after it and before any answer, is
 * reported as a refusal too, with `reason` `ECONNRESET` or `EPIPE`.
 */
export function tlsRequest(
  url: string | URL,
  init: TlsRequestInit,
  material: ClientMaterial,
): Promise<TlsResponse> {
  const method = init.method ?? "GET";
  const target = `${method} ${String(url)}`;
  return new Promise((resolve, reject) => {
    let stage: "connecting" | "handshake" | "secured" | "answered" = "connecting";
    const req = request(url, {
      ...clientOptions(material),
      method,
      headers: init.headers ?? {},
      agent: false,
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        stage = "handshake";
      });
      socket.once("secureConnect", () => {
        stage = "secured";
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      const cut = code === "ECONNRESET" || code === "EPIPE";
      if (isHandshakeRefusal(code)) {
        reject(
          new TlsError("TLS_HANDSHAKE", `${target}: TLS handshake refused: ${error.message} (${code})`, code),
        );
      } else if (cut && stage === "handshake") {
        const message = `${target}: the server ended the connection during the TLS handshake (${code})`;
        reject(new TlsError("TLS_HANDSHAKE", message, code));
      } else if (cut && stage === "secured") {
        const message = `${target}: the server ended the connection right after the TLS handshake, without an answer (${code}), as a mutual-TLS server does when it refuses the client's certificate`;
        reject(new TlsError("TLS_HANDSHAKE", message, code));
      } else {
        reject(new TlsError("TLS_REQUEST", `${target}: ${error.message}${code ? ` (${code})` : ""}`, code));
      }
    });
    req.on("response", (res) => {
      stage = "answered";
      const chunks: Buffer[] = [];
      const limit = init.maxAnswerBytes ?? TLS_ANSWER_LIMIT;
      let kept = 0;
      res.on("data", (chunk: Buffer) => {
        kept += chunk.length;
        if (kept <= limit) chunks.push(chunk);
        else {
          chunks.length = 0;
          req.destroy();
          reject(
            new TlsError(
              "TLS_REQUEST",
              `${target}: the answer passed ${limit} bytes, more than an answer may`,
              "",
            ),
          );
        }
      });
      res.on("error", (error) => reject(new TlsError("TLS_REQUEST", `${target}: ${error.message}`, "")));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.end(init.body);
  });
}
