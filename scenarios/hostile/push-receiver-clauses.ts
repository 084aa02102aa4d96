import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { signPush } from "../../harness/protocol/aqara/index.ts";
import { pause } from "../conformance/c-probe.ts";
import { type ClauseCheck, expectThat, NotApplicable } from "../conformance/clause.ts";
import { freshNonce, notInFormat, type PushReply, push, shownReply } from "../conformance/push-client.ts";
import type { PushReceiverTarget } from "../conformance/push-receiver-target.ts";
import { realTime } from "./real-time.ts";
import { nestedArrays, nestedObjects } from "./wire.ts";

/**
 * H8: hostile input on a message-push receiver under test (000_0e61b4fd1fe27231.txt). Nothing from the wire may stop
 * it, hold it, or pass for a push: after each clause a valid push must still be answered in the documented format,
 * and no hostile request may be answered as a success.
 */

export interface PushReceiverHostileOptions {
  /** Wrongly signed pushes sent at once (H8.4). Default 200. */
  burst?: number;
  /** How long, on the receiver's time, an unfinished body may hold its connection (H8.3). Default 30 s. */
  slowBodyMs?: number;
}

const DEEP = 10_000;

/** A valid push afterwards is still answered in the format. */
async function stillServes(target: PushReceiverTarget, after: string): Promise<void> {
  const reply = await push(target);
  const wrong = notInFormat(reply);
  expectThat(
    wrong === undefined,
    `a valid push answered in the format ${after}`,
    `${wrong}: ${shownReply(reply)}`,
  );
}

/** One POST with these headers and body bytes; undefined when the connection ended without an answer. */
function rawPush(
  target: PushReceiverTarget,
  headers: Record<string, string>,
  body: Buffer,
): Promise<PushReply | undefined> {
  const url = new URL(target.url);
  const send = url.protocol === "https:" ? httpsRequest : request;
  const sent = new Promise<PushReply | undefined>((resolve) => {
    const req = send(
      url,
      { agent: false, method: "POST", headers: { ...headers, "content-length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("error", () => resolve(undefined));
    req.end(body);
  });
  return realTime(sent, target.answerMs);
}

/** Valid headers for a push now (signed when the target signs). */
function validHeaders(target: PushReceiverTarget): Record<string, string> {
  const time = String(target.clock.now());
  const nonce = freshNonce();
  const headers: Record<string, string> = { "content-type": "application/json", time, nonce };
  if (target.signing !== undefined) {
    headers.appkey = target.signing.appKey;
    headers.sign = signPush({ appkey: target.signing.appKey, nonce, time }, target.signing.appSecret);
  }
  return headers;
}

/** None of the answers is the documented success. */
function expectNoSuccess(replies: ReadonlyArray<PushReply | undefined>, what: string): void {
  const passed = replies.filter((r): r is PushReply => r !== undefined && notInFormat(r) === undefined);
  expectThat(
    passed.length === 0,
    `none of ${what} answered as a success`,
    `${passed.length} were: ${passed.map(shownReply).slice(0, 2).join("; ")}`,
  );
}

/** The host and port of the target's URL, and a socket to it. */
function rawSocket(target: PushReceiverTarget) {
  const url = new URL(target.url);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const socket =
    url.protocol === "https:" ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
  socket.on("error", () => undefined);
  // Read (and drop) what comes: a socket nobody reads never sees the server's end, nor closes.
  socket.resume();
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, ended, url };
}

export function pushReceiverHostileClauses(
  options: PushReceiverHostileOptions = {},
): ClauseCheck<PushReceiverTarget>[] {
  const burst = options.burst ?? 200;
  const slowBodyMs = options.slowBodyMs ?? 30_000;
  return [
    {
      clause: "H8.1",
      title:
        "bytes that are not HTTP (garbage, a broken request line) end their connection, and the receiver keeps serving",
      run: async (target) => {
        for (const bytes of [
          Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff)),
          Buffer.from("POST\r\n\r\n"),
        ]) {
          const { socket, ended } = rawSocket(target);
          socket.end(bytes);
          const closed = await realTime(ended, target.answerMs).then(
            () => true,
            () => false,
          );
          socket.destroy();
          expectThat(
            closed,
            `the connection of ${bytes.length} bytes that are not HTTP ended within ${target.answerMs} ms`,
            "it still open",
          );
        }
        await stillServes(target, "after the garbage");
      },
    },
    {
      clause: "H8.2",
      title:
        "hostile bodies under valid headers (10,000-deep JSON, prototype keys, wrong types, invalid UTF-8, not JSON, 3 MiB) are not taken as pushes",
      run: async (target) => {
        const bodies = [
          Buffer.from(nestedArrays(DEEP)),
          Buffer.from(`{"token":"a","data":${nestedObjects(DEEP)}}`),
          Buffer.from('{"__proto__":{"polluted":1},"token":"a","data":"x"}'),
          Buffer.from('{"token":[],"data":{}}'),
          Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
          Buffer.from("not json"),
          Buffer.alloc(3 * 1024 * 1024, 0x20),
        ];
        const replies = [];
        for (const body of bodies) replies.push(await rawPush(target, validHeaders(target), body));
        expectNoSuccess(replies, `${bodies.length} hostile bodies`);
        await stillServes(target, "after the hostile bodies");
      },
    },
    {
      clause: "H8.3",
      title: `a client that never finishes its body is ended within ${slowBodyMs / 1000} s of the receiver's time`,
      run: async (target) => {
        const { socket, ended, url } = rawSocket(target);
        let closed = false;
        void ended.then(() => {
          closed = true;
        });
        const head = Object.entries(validHeaders(target))
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join("");
        socket.write(
          `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n${head}Content-Length: 1000\r\n\r\n{"token":`,
        );
        try {
          await pause(target, slowBodyMs);
          await realTime(ended, 2000).catch(() => undefined);
          expectThat(
            closed,
            `the connection ended within ${slowBodyMs} ms of an unfinished body`,
            "it still open",
          );
        } finally {
          socket.destroy();
        }
        await stillServes(target, "after the unfinished body");
      },
    },
    {
      clause: "H8.4",
      title: `a burst of ${burst} pushes at once with wrong signatures: none is taken, and the receiver keeps serving`,
      run: async (target) => {
        if (target.signing === undefined)
          throw new NotApplicable("signing off: the target gives no app key and secret");
        const replies = await Promise.all(
          Array.from({ length: burst }, (_, i) =>
            rawPush(
              target,
              {
                ...validHeaders(target),
                sign: signPush({ appkey: "x", nonce: String(i), time: "0" }, "wrong"),
              },
              Buffer.from('{"token":"a","data":"{}"}'),
            ),
          ),
        );
        expectNoSuccess(replies, `${burst} wrongly signed pushes`);
        await stillServes(target, "after the burst");
      },
    },
    {
      clause: "H8.5",
      title:
        "8 KiB header values (time, nonce, appkey, sign) are not taken as pushes, and the receiver keeps serving",
      run: async (target) => {
        const long = "7".repeat(8192);
        const replies = [];
        for (const name of ["time", "nonce", "appkey", "sign"])
          replies.push(
            await rawPush(
              target,
              { ...validHeaders(target), [name]: long },
              Buffer.from('{"token":"a","data":"{}"}'),
            ),
          );
        expectNoSuccess(replies, "4 pushes with an 8 KiB header");
        await stillServes(target, "after the long headers");
      },
    },
  ];
}
