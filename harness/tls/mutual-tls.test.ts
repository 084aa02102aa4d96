import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, get, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SecureVersion, TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki, tlsPaths } from "./certificates.ts";
import { clientAgent, serverOptions, TLS_ANSWER_LIMIT, tlsRequest } from "./mutual-tls.ts";
import type { TlsError } from "./tls-error.ts";
import { loadTlsMaterial, type TlsMaterial } from "./tls-material.ts";

let dir: string;
let pki: TestPki;
let serverMaterial: TlsMaterial;
let clientMaterial: TlsMaterial;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-mtls-"));
  pki = await makeTestPki(dir, { expiredClient: true, otherCa: true });
  serverMaterial = await loadTlsMaterial(tlsPaths(pki.server, pki.ca));
  clientMaterial = await loadTlsMaterial(tlsPaths(pki.client, pki.ca));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Served {
  url: string;
  server: Server;
  /** How many requests reached the handler. */
  handled: () => number;
}

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  }
});

/** A mutual-TLS HTTPS server on 127.0.0.1, port 0, answering with the client certificate's common name. */
async function serve(material: TlsMaterial, maxVersion: SecureVersion = "TLSv1.3"): Promise<Served> {
  let handled = 0;
  const server = createServer({ ...serverOptions(material), maxVersion }, (req, res) => {
    handled += 1;
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ code: 0, client: peer.subject.CN, method: req.method }));
  });
  open.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/c/v1/ping`, server, handled: () => handled };
}

/** The next TLS error the server reports for a client it refused. */
function nextClientError(server: Server): Promise<NodeJS.ErrnoException> {
  return once(server, "tlsClientError").then(([error]) => error as NodeJS.ErrnoException);
}

async function refusal(request: Promise<unknown>): Promise<TlsError> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: "TlsError", code: "TLS_HANDSHAKE" });
  return error as TlsError;
}

describe("mutual TLS on C (7.1.2): both sides show a certificate of the same CA", () => {
  it("accepts a client with a client certificate of its CA, and the handler sees who it is", async () => {
    const { url, handled } = await serve(serverMaterial);
    const response = await tlsRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"sequenceNo":"1"}' },
      clientMaterial,
    );
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ code: 0, client: "hilfarm test client", method: "POST" });
    expect(handled()).toBe(1);
  });

  it("accepts the client through an https.Agent too (localhost by its DNS name)", async () => {
    const { url, handled } = await serve(serverMaterial);
    const agent = clientAgent(clientMaterial);
    const status = await new Promise<number>((resolve, reject) => {
      get(url.replace("127.0.0.1", "localhost"), { agent }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject);
    });
    agent.destroy();
    expect(status).toBe(200);
    expect(handled()).toBe(1);
  });

  it("refuses a client without a certificate in the handshake; the handler never runs", async () => {
    const { url, server, handled } = await serve(serverMaterial);
    const serverSide = nextClientError(server);
    const error = await refusal(tlsRequest(url, {}, { ca: clientMaterial.ca }));
    // The alert (certificate required), or the reset that overtakes it when the request was already on its way.
    expect(error.reason).toMatch(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET|EPIPE)$/);
    expect((await serverSide).code).toBe("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE");
    expect(handled()).toBe(0);
  });

  it.each([
    ["whose certificate comes from another CA", "TLSv1.3"],
    ["whose certificate has expired", "TLSv1.3"],
    ["whose certificate comes from another CA", "TLSv1.2"],
    ["whose certificate has expired", "TLSv1.2"],
  ] as const)("refuses a client %s (%s); the handler never runs", async (what, version) => {
    const { url, handled } = await serve(serverMaterial, version);
    const identity = what.includes("expired") ? pki.expiredClient : pki.otherCa?.client;
    if (identity === undefined) throw new Error("the PKI lacks a certificate");
    const error = await refusal(tlsRequest(url, {}, await loadTlsMaterial(tlsPaths(identity, pki.ca))));
    // A Node server ends the connection after the handshake without an alert.
    expect(error.reason).toMatch(/^(ERR_SSL_\w+|ECONNRESET|EPIPE)$/);
    expect(error.message).toContain(url);
    expect(handled()).toBe(0);
  });

  it("what the server's check finds: an expired certificate, and one it cannot chain to its CA", async () => {
    // The same options, told to let the connection through so that the check's verdict can be read.
    const reasons: Array<string | undefined> = [];
    const server = createServer(
      { ...serverOptions(serverMaterial), rejectUnauthorized: false },
      (req, res) => {
        reasons.push(String((req.socket as TLSSocket).authorizationError ?? "authorized"));
        res.end();
      },
    );
    open.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    for (const identity of [pki.client, pki.expiredClient, pki.otherCa?.client]) {
      if (identity === undefined) throw new Error("the PKI lacks a certificate");
      await tlsRequest(url, {}, await loadTlsMaterial(tlsPaths(identity, pki.ca)));
    }
    expect(reasons).toEqual(["authorized", "CERT_HAS_EXPIRED", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);
  });

  it("a client refuses a server whose certificate is not from its CA", async () => {
    const other = pki.otherCa;
    if (other === undefined) throw new Error("the PKI has no other CA");
    // The impostor trusts our client, so only the client's check can stop the exchange.
    const { url, handled } = await serve(await loadTlsMaterial(tlsPaths(other.server, pki.ca)));
    const error = await refusal(tlsRequest(url, {}, clientMaterial));
    expect(error.reason).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(error.message).toContain(url);
    expect(handled()).toBe(0);
  });

  it("cuts an answer longer than its limit and says so: a peer cannot fill this process's memory", async () => {
    const server = createServer(serverOptions(serverMaterial), (_req, res) => {
      res.setHeader("content-type", "application/json");
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (res.write(chunk));
        res.once("drain", more);
      };
      more();
    });
    open.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const url = `https://127.0.0.1:${port}/c/v1/ping`;
    const failure = (request: Promise<unknown>) =>
      request.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await failure(tlsRequest(url, { maxAnswerBytes: 200_000 }, clientMaterial))).toMatchObject({
      name: "TlsError",
      code: "TLS_REQUEST",
      message: `GET ${url}: the answer passed 200000 bytes, more than an answer may`,
    });
    expect(await failure(tlsRequest(url, {}, clientMaterial))).toMatchObject({
      code: "TLS_REQUEST",
      message: expect.stringContaining(`passed ${TLS_ANSWER_LIMIT} bytes`),
    });
  });

  it("a refused connection is a TLS_REQUEST error, not a handshake refusal", async () => {
    const { url, server } = await serve(serverMaterial);
    server.close();
    await once(server, "close");
    open.splice(open.indexOf(server), 1);
    await expect(tlsRequest(url, {}, clientMaterial)).rejects.toMatchObject({
      code: "TLS_REQUEST",
      reason: "ECONNREFUSED",
    });
  });
});
