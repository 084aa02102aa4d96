import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type LockApiEnvelope, parseEnvelope } from "../../harness/protocol/lock-api/envelope.ts";
import { signRequest } from "../../harness/protocol/lock-api/signing.ts";
import { expectThat } from "../conformance/clause.ts";
import { accessToken, send } from "../conformance/lock-api-client.ts";
import type { LockApiTarget } from "../conformance/lock-api-target.ts";
import { realTime } from "./real-time.ts";

/** The lock API's wire for the hostile clauses (H7): raw requests, signed or not, and a client that never finishes. */

export interface RawAnswer {
  /** HTTP status, or undefined when the connection ended without an answer. */
  status: number | undefined;
  text: string;
}

/**
 * One request with exactly these headers and body bytes, waited for on the target's time, or on real time (`real`:
 * a burst keeps the process busy with sockets, and a virtual clock would run on to the deadline meanwhile).
 */
export async function rawLockRequest(
  target: LockApiTarget,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body: Buffer,
  wait: "target" | "real" = "target",
): Promise<RawAnswer> {
  const sent = fetch(`${target.url}${pathAndQuery}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(method === "GET" || method === "HEAD" ? {} : { body: new Uint8Array(body) }),
  }).then(
    async (r) => ({ status: r.status, text: await r.text() }),
    () => ({ status: undefined, text: "" }),
  );
  return wait === "real" ? realTime(sent, target.answerMs) : target.settle(sent, target.answerMs);
}

/**
 * The same, signed by the target's client with the run's token; a target no URL reading can sign (a malformed
 * percent escape) goes with the signing headers of its path without the query and escapes.
 */
export async function signedLockRequest(
  target: LockApiTarget,
  method: string,
  pathAndQuery: string,
  body: Buffer,
): Promise<RawAnswer> {
  const sentBody = method === "GET" ? Buffer.alloc(0) : body;
  const signing = {
    clientId: target.clientId,
    secret: target.secret,
    accessToken: await accessToken(target),
    method,
    body: sentBody,
    t: target.clock.now(),
  };
  let headers: Record<string, string>;
  try {
    headers = signRequest({ ...signing, target: pathAndQuery });
  } catch {
    headers = signRequest({ ...signing, target: pathAndQuery.replace(/%|\?.*$/g, "") });
  }
  return rawLockRequest(target, method, pathAndQuery, headers, sentBody);
}

/** The envelope of an HTTP 200 answer, or undefined. */
export function envelopeOf(answer: RawAnswer): LockApiEnvelope<unknown> | undefined {
  if (answer.status !== 200) return undefined;
  const parsed = parseEnvelope(answer.text);
  return parsed.ok ? parsed.value : undefined;
}

/** What an answer was, for a tally: `HTTP 200 code 1109`, `HTTP 431`, `no answer`. */
export function outcomeOf(answer: RawAnswer): string {
  if (answer.status === undefined) return "no answer";
  const envelope = envelopeOf(answer);
  if (envelope === undefined) return `HTTP ${answer.status}`;
  return envelope.success ? "HTTP 200 success" : `HTTP 200 code ${envelope.code}`;
}

/** The legitimate client, before a clause: its token; `kept` checks afterwards that the token still opens a call. */
export async function legitLockClient(target: LockApiTarget) {
  const token = await accessToken(target);
  return {
    token,
    async kept(after: string): Promise<void> {
      const answer = await send(target, {
        method: "GET",
        path: "/v1.0/devices/hilfarm-no-such-lock/door-lock/temp-passwords",
        token,
      });
      // 2010 (no such device) is past the token check: 1010/1011/1004 would say the token or client moved.
      expectThat(
        !answer.envelope.success && answer.envelope.code === 2010,
        `the legitimate token still accepted ${after} (code 2010 for an unknown device)`,
        JSON.stringify(answer.envelope).slice(0, 300),
      );
    },
  };
}

/** A POST that announces 1000 bytes and sends 10; `ended` settles when the server closes the connection. */
export async function unfinishedBody(target: LockApiTarget, path: string) {
  const url = new URL(target.url);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const socket =
    url.protocol === "https:" ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
  socket.on("error", () => undefined);
  let closed = false;
  const ended = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve, reject) => {
    socket.once(url.protocol === "https:" ? "secureConnect" : "connect", resolve);
    socket.once("close", () => reject(new Error("closed before it connected")));
  });
  connected.catch(() => undefined);
  await realTime(connected, 10_000);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ticket_`,
  );
  return { closed: () => closed, ended, destroy: () => socket.destroy() };
}
