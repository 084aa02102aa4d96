import { createSocket } from "node:dgram";
import { request as httpRequest } from "node:http";
import { createServer, connect as tcpConnect } from "node:net";
import { udpSocketType } from "../../harness/net/address.ts";
import { CipherKey, encrypt } from "../../harness/protocol/cts/crypto.ts";
import { realClock } from "./real-time.ts";

/**
 * Raw bytes to a platform, the way an attacker sends them: no device state, no codec checks. Every wait has a
 * deadline in real time (these are socket events, not protocol timing) and says how it ended.
 */

export function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(address.slice(at + 1)) };
}

export const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\./.test(host);

/** How a connection that was sent bytes ended: what the platform sent back, and whether it closed the connection. */
export interface Exchange {
  /** Bytes the platform sent back. */
  answer: Buffer;
  /** The platform closed (or reset) the connection within the wait. */
  closed: boolean;
  /** Connecting failed (nothing listening, or refused at once): the error code. */
  failed?: string;
}

/**
 * Opens a TCP connection, sends `bytes` and half-closes, as a client that has nothing more to say: a platform then
 * handles the bytes, answers or not, and closes its side, which ends the wait without a timer. `maxMs` bounds a
 * platform that never closes. The connection is destroyed on return.
 */
export function tcpExchange(
  address: string,
  bytes: Buffer,
  options: { from?: string; maxMs?: number } = {},
): Promise<Exchange> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let connected = false;
    const socket = tcpConnect({
      host,
      port,
      ...(options.from === undefined ? {} : { localAddress: options.from }),
    });
    const finish = (closed: boolean, failed?: string) => {
      deadline.cancel();
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks), closed, ...(failed === undefined ? {} : { failed }) });
    };
    const deadline = realClock.setTimeout(
      () => finish(false),
      options.maxMs ?? 10_000,
      "hostile-tcp-exchange",
    );
    socket.on("connect", () => {
      connected = true;
      socket.end(bytes);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected) finish(true, error.code ?? error.message);
    });
    socket.on("close", () => finish(true));
  });
}

/**
 * Sends one datagram from a fresh socket bound to `from` (any local address when not given). UDP has no answer to
 * wait for: a check that needs the platform to have handled it sends a datagram of its own to the same port after
 * it, which the platform reads after this one.
 */
export async function udpSend(
  address: string,
  bytes: Buffer,
  options: { from?: string } = {},
): Promise<void> {
  const { host, port } = splitHostPort(address);
  const socket = createSocket(udpSocketType(host));
  socket.on("error", () => undefined);
  try {
    await new Promise<void>((resolve) => socket.bind(0, options.from, () => resolve()));
    await new Promise<void>((resolve, reject) =>
      socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    socket.close();
  }
}

/** Whether this machine can use `address` as a source address (Linux routes all of 127/8 to loopback). */
export function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

// --- Hostile frames -------------------------------------------------------------------------------------------

/** The finding's nesting depth: 4,500 already overflowed the stack of the error formatting. */
export const DEPTH = 5_000;
export const nestedArrays = (depth = DEPTH) => "[".repeat(depth) + "]".repeat(depth);
export const nestedObjects = (depth = DEPTH) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const line = (text: string) => Buffer.from(`${text}\r\n`, "utf8");

/**
 * Frames that nest 5,000 deep, for a surface: bare after `CTS`, inside the `data` of a valid-looking envelope,
 * and (when a key is at hand) as the encrypted body of an envelope that decrypts: every layer of a decoder.
 */
export function deepFrames(envelope: {
  code: number;
  deviceId?: string;
  token?: string;
  key?: CipherKey;
}): Array<{ name: string; bytes: Buffer }> {
  const clear = {
    code: envelope.code,
    ...(envelope.deviceId === undefined ? {} : { deviceId: envelope.deviceId }),
    ...(envelope.token === undefined ? {} : { token: envelope.token }),
  };
  const head = JSON.stringify(clear).slice(0, -1);
  const frames = [
    { name: `CTS + ${DEPTH} [ + ${DEPTH} ]`, bytes: line(`CTS${nestedArrays()}`) },
    { name: `CTS + ${DEPTH} nested {"a":`, bytes: line(`CTS${nestedObjects()}`) },
    {
      name: `a ${envelope.code} envelope whose data nests ${DEPTH} deep`,
      bytes: line(`CTS${head},"data":${nestedArrays()}}`),
    },
    {
      name: `a ${envelope.code} envelope with an object nested ${DEPTH} deep`,
      bytes: line(`CTS${head},"data":"",${nestedObjects().slice(1)}`),
    },
  ];
  if (envelope.key !== undefined) {
    const data = encrypt(envelope.key, Buffer.from(nestedArrays(), "utf8")).toString("base64");
    frames.push({
      name: `a ${envelope.code} envelope whose encrypted body nests ${DEPTH} deep`,
      bytes: line(`CTS${JSON.stringify({ ...clear, data })}`),
    });
  }
  return frames;
}

export const pinKey = (pin: string) => CipherKey.fromPin(pin);
export const sessionKey = (key: string) => CipherKey.fromSessionKey(key);

// --- The northbound API -----------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request with node:http (few event-loop turns, so it also works beside a virtual clock). Resolves with
 * the status even when the server answers before the whole body was sent and closes; rejects (with the error code)
 * only when no status came at all within `maxMs`.
 */
export function apiRequest(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    token?: string;
    contentType?: string;
    maxMs?: number;
  } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    // Destroyed once answered: a refused body is not sent on, nor drained by the server meanwhile.
    const req = httpRequest(url, { method: options.method ?? "GET", headers });
    let answered = false;
    const deadline = realClock.setTimeout(
      () => {
        req.destroy();
        reject(new Error(`no HTTP status within ${options.maxMs ?? 10_000} ms`));
      },
      options.maxMs ?? 10_000,
      "hostile-api-request",
    );
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const done = () => {
        deadline.cancel();
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        });
      };
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", done);
      res.on("error", done);
      res.on("aborted", done);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      deadline.cancel();
      reject(new Error(`no HTTP status: ${error.code ?? error.message}`));
    });
    req.end(options.body);
  });
}
