import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { serverOptions } from "../../../../harness/tls/mutual-tls.ts";
import type { TlsMaterial } from "../../../../harness/tls/tls-material.ts";

/** One request the stub received: the path and the JSON body. */
export interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** What the stub answers a path with (the whole JSON body), or "hang" to answer never. */
export type StubAnswer = Record<string, unknown> | "hang";

/**
 * A third-party platform for tests of the platform's C21-C31 calls: an HTTPS server with mutual TLS on 127.0.0.1
 * (port 0) that records each request and answers what the test scripted per path (the answers are written out in
 * the tests from the response tables of 7.3.2, not by hilfarm's codec).
 */
export interface ThirdPartyStub {
  url: string;
  received: Received[];
  /** The answers, by path; a function is called with the request's body. */
  answers: Map<string, StubAnswer | ((body: Record<string, unknown>) => StubAnswer)>;
  /** Resolves when a request for `path` arrives (the next one). */
  arrival(path: string): Promise<Received>;
  close(): Promise<void>;
}

export async function startThirdPartyStub(material: TlsMaterial): Promise<ThirdPartyStub> {
  const received: Received[] = [];
  const answers: ThirdPartyStub["answers"] = new Map();
  const waiting = new Map<string, Array<(r: Received) => void>>();
  const server: Server = createServer(serverOptions(material), (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      const entry = { path, body };
      received.push(entry);
      for (const resolve of waiting.get(path) ?? []) resolve(entry);
      waiting.delete(path);
      const scripted = answers.get(path);
      const answer = typeof scripted === "function" ? scripted(body) : scripted;
      if (answer === "hang") return;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer ?? { code: 9999, desc: `no answer scripted for ${path}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    received,
    answers,
    arrival: (path) => new Promise((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
