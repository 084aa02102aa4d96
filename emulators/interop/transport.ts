import { type ClientMaterial, tlsRequest } from "../../harness/tls/mutual-tls.ts";

/** One HTTP exchange of C (7.1.2): a POST of a JSON body, answered with a status and a body. */
export interface CTransportRequest {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  /** Aborted when the call times out. */
  signal?: AbortSignal;
}

export interface CTransportResponse {
  status: number;
  body: string;
}

export type CTransport = (url: string, request: CTransportRequest) => Promise<CTransportResponse>;

/** The production transport: HTTPS with mutual certificates (7.1.2, 7.1.4); errors are `TlsError`s. */
export function tlsTransport(material: ClientMaterial): CTransport {
  return async (url, request) => {
    const { status, body } = await tlsRequest(url, request, material);
    return { status, body };
  };
}

/** Plain `fetch` (no client certificate): for tests whose HTTP is mocked in-process. */
export function fetchTransport(fetchImpl: typeof fetch = fetch): CTransport {
  return async (url, request) => {
    const response = await fetchImpl(url, request);
    return { status: response.status, body: await response.text() };
  };
}
