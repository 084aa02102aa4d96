import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type ClientMaterial, clientOptions, tlsRequest } from "../../harness/tls/mutual-tls.ts";
import { TlsError } from "../../harness/tls/tls-error.ts";
import { type CTarget, sequenceNo, shownC } from "../conformance/c-probe.ts";
import { ClauseFailure } from "../conformance/clause.ts";
import { realClock, realTime } from "./real-time.ts";
import { messageOf } from "./support.ts";

/**
 * The wire of the hostile clauses on a C server (7.1.2, 7.1.4: HTTPS with mutual TLS; C11-C18 on the smart-home
 * side, C21-C31 on the third party's): raw bytes, TLS without a client certificate, a body that never ends, and
 * (C11-C18) the legitimate third party whose token and device the hostile input must not move. Every wait is on real time (socket events, not the platform's protocol timing).
 */

/** A smart-home platform's C11-C18 server as these clauses see it (a `CSmartHomeTarget` is one). */
export interface CNotifyTarget extends CTarget {
  readonly platformId: string;
  /** A secret: never shown. */
  readonly platformKey: string;
  readonly deviceType?: string;
}

export const C_WAIT_MS = 10_000;

/** `host:port` of the target's URL. */
export function hostPortOf(target: CTarget): { host: string; port: number } {
  const url = new URL(target.url);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 443) };
}

/** A POST of `body` with the target's client identity (or `material`), waited for on real time. */
export async function postNow(
  target: CTarget,
  path: string,
  body: string | Buffer,
  options: { material?: ClientMaterial; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: Record<string, unknown> | undefined }> {
  const headers = { "content-type": "application/json", ...options.headers };
  const sent = tlsRequest(
    `${target.url}${path}`,
    { method: "POST", headers, body },
    options.material ?? target.client,
  );
  sent.catch(() => undefined);
  const answer = await realTime(sent, C_WAIT_MS);
  let json: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(answer.body);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      json = value as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: answer.status, text: answer.body, json };
}

/** What a failure shows of an answer: status and body, secrets masked. */
export const shownAnswer = (a: { status: number; text: string; json: Record<string, unknown> | undefined }) =>
  `HTTP ${a.status} ${a.json === undefined ? JSON.stringify(a.text.slice(0, 200)) : shownC(a.json)}`;

/**
 * The legitimate third party: a C11 token (7.3.1.1) and a device announced online with it (C15, 7.3.1.5). `kept`
 * fails the clause, saying `when`, unless a C16 (7.3.1.6) with that token is answered code 0.
 */
export async function legitParty(target: CNotifyTarget, deviceSN: string) {
  const { platformId, platformKey } = target;
  const deviceType = target.deviceType ?? "HILFARM-HOSTILE";
  let token = "";
  try {
    const issued = await postNow(
      target,
      "/notify/token",
      JSON.stringify({ platformId, platformKey, sequenceNo: sequenceNo(target) }),
    );
    token = typeof issued.json?.access_token === "string" ? issued.json.access_token : "";
    if (issued.json?.code !== 0 || token === "") throw new Error(`C11 answered ${shownAnswer(issued)}`);
    const online = await postNow(
      target,
      "/notify/device/online",
      JSON.stringify({
        access_token: token,
        sequenceNo: sequenceNo(target),
        deviceSN,
        deviceType,
        online: "1",
      }),
    );
    if (online.json?.code !== 0) throw new Error(`C15 answered ${shownAnswer(online)}`);
  } catch (error) {
    throw new ClauseFailure(
      `expected the legitimate third party to take a token and announce ${deviceSN} (before the hostile input); saw ${messageOf(error)}`,
    );
  }
  const kept = async (when: string): Promise<void> => {
    let seen: string;
    try {
      const body = {
        access_token: token,
        sequenceNo: sequenceNo(target),
        deviceSN,
        deviceType,
        status: [{ serialId: "0", name: "POWER", value: "1" }],
      };
      const answer = await postNow(target, "/notify/device/status", JSON.stringify(body));
      if (answer.json?.code === 0) return;
      seen = shownAnswer(answer);
    } catch (error) {
      seen = messageOf(error);
    }
    throw new ClauseFailure(
      `expected the legitimate third party's C16 on ${deviceSN}, with its token, answered code 0 ${when}; saw ${seen}`,
    );
  };
  return { token: () => token, kept };
}

/** How a raw connection ended: what came back, whether the server closed it within the wait. */
export interface RawEnd {
  answer: Buffer;
  closed: boolean;
  failed?: string;
}

/**
 * Opens a TCP connection to the HTTPS port and sends `bytes` without closing our side: a TLS server must end a
 * connection that does not speak TLS. Destroyed on return.
 */
export function rawBytes(target: CTarget, bytes: Buffer, maxMs = C_WAIT_MS): Promise<RawEnd> {
  const { host, port } = hostPortOf(target);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = tcpConnect({ host, port });
    const finish = (closed: boolean, failed?: string) => {
      deadline.cancel();
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks), closed, ...(failed === undefined ? {} : { failed }) });
    };
    const deadline = realClock.setTimeout(() => finish(false), maxMs, "hostile-c-raw");
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") finish(false, error.code ?? error.message);
    });
    socket.on("close", () => finish(true));
  });
}

/** One POST without a client certificate: "refused" when it ends in the handshake (7.1.4), else what it got. */
export async function withoutCertificate(target: CTarget, path: string): Promise<string> {
  const sent = tlsRequest(`${target.url}${path}`, { method: "POST", body: "{}" }, { ca: target.client.ca });
  sent.catch(() => undefined);
  try {
    const answer = await realTime(sent, C_WAIT_MS);
    return `HTTP ${answer.status}`;
  } catch (error) {
    if (error instanceof TlsError && error.code === "TLS_HANDSHAKE") return "refused";
    return messageOf(error);
  }
}

/** A client with a good certificate that sends the head of a POST and part of its body, then nothing more. */
export interface SlowClient {
  /** Whether the server has ended the connection. */
  closed(): boolean;
  /** Resolves when the server ends the connection. */
  readonly ended: Promise<void>;
  destroy(): void;
}

/** Opens a slow client on `path`: `Content-Length: 1000`, 10 bytes of body, then silence. */
export async function slowClient(target: CTarget, path: string): Promise<SlowClient> {
  const { host, port } = hostPortOf(target);
  const socket = tlsConnect({ host, port, ...clientOptions(target.client) });
  socket.on("error", () => undefined);
  let closed = false;
  const ended = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("close", () => reject(new Error("closed before the handshake ended")));
  });
  connected.catch(() => undefined);
  await realTime(connected, C_WAIT_MS);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"access_t`,
  );
  return { closed: () => closed, ended, destroy: () => socket.destroy() };
}

/** A TCP client that starts a TLS record (a handshake of 512 bytes) and sends 1 byte of it, then nothing more. */
export async function stalledHandshake(target: CTarget): Promise<SlowClient> {
  const { host, port } = hostPortOf(target);
  const socket = tcpConnect({ host, port });
  socket.on("error", () => undefined);
  let closed = false;
  const ended = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("close", () => reject(new Error("closed before it connected")));
  });
  connected.catch(() => undefined);
  await realTime(connected, C_WAIT_MS);
  socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
  return { closed: () => closed, ended, destroy: () => socket.destroy() };
}
