import { cInterfaces } from "../../harness/protocol/c/interfaces.ts";
import { pause, sequenceNo } from "../conformance/c-probe.ts";
import { type ClauseCheck, ClauseFailure, expectThat } from "../conformance/clause.ts";
import {
  C_WAIT_MS,
  type CNotifyTarget,
  legitParty,
  postNow,
  rawBytes,
  type SlowClient,
  shownAnswer,
  slowClient,
  stalledHandshake,
  withoutCertificate,
} from "./c-notify-wire.ts";
import { realTime } from "./real-time.ts";
import { messageOf } from "./support.ts";
import { nestedArrays, nestedObjects } from "./wire.ts";

/**
 * H5: hostile input on a smart-home platform's C11-C18 server (7.3.1; HTTPS with mutual TLS, 7.1.2, 7.1.4). Nothing
 * from the wire may stop it, hold it, or move the legitimate third party's session: before each clause that third
 * party takes a C11 token and announces a device; afterwards its C16 with that token must still be answered code 0.
 */

export interface CNotifyHostileOptions {
  /** Handshakes without a client certificate sent at once (H5.2). Default 200. */
  handshakes?: number;
  /** Wrong C11s sent (H5.6). Default 200. */
  wrongTokens?: number;
  /** Slow clients held open at once (H5.3). Default 20. */
  slowClients?: number;
  /** How long, on the target's time, an unfinished body may hold its connection (H5.4). Default 30 s. */
  slowBodyMs?: number;
}

const notifyPaths = Object.values(cInterfaces)
  .filter((i) => i.side === "smart-home")
  .map((i) => i.path);
/** Over hilfarm's body limit (1 MiB) and any sensible one. */
const OVER_LIMIT = 2 * 1024 * 1024;
const DEEP = 10_000;

/** Runs `count` jobs at once; the results in order. */
const burst = <T>(count: number, job: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => job(i)));

/** "a: n, b: m" of the distinct outcomes. */
function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o}: ${n}`).join(", ");
}

export function cNotifyClauses(options: CNotifyHostileOptions = {}): ClauseCheck<CNotifyTarget>[] {
  const handshakes = options.handshakes ?? 200;
  const wrongTokens = options.wrongTokens ?? 200;
  const slowClients = options.slowClients ?? 20;
  const slowBodyMs = options.slowBodyMs ?? 30_000;
  return [
    {
      clause: "H5.1",
      title:
        "bytes that are not TLS on the HTTPS port (plain HTTP, garbage, an SSLv2 hello) end the connection without an HTTP answer, and the server keeps serving",
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-1");
        const inputs: Array<[string, Buffer]> = [
          [
            "a plain HTTP request",
            Buffer.from("POST /notify/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
          ],
          ["binary garbage", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff))],
          ["an SSLv2 hello", Buffer.from([0x80, 0x09, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])],
          ["a TLS record of a wrong type", Buffer.from([0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4])],
        ];
        for (const [what, bytes] of inputs) {
          const end = await rawBytes(target, bytes);
          expectThat(
            end.closed && end.failed === undefined,
            `the server to end the connection after ${what} within ${C_WAIT_MS} ms`,
            end.failed ?? `the connection still open, ${end.answer.length} bytes back`,
          );
          expectThat(
            !end.answer.toString("latin1").startsWith("HTTP/"),
            `no HTTP answer to ${what} on the HTTPS port`,
            JSON.stringify(end.answer.subarray(0, 80).toString("latin1")),
          );
        }
        await party.kept("after the non-TLS bytes");
      },
    },
    {
      clause: "H5.2",
      title: `${handshakes} handshakes without a client certificate at once are all refused in the handshake (7.1.4), and the legitimate third party is answered meanwhile and after`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-2");
        const all = burst(handshakes, (i) =>
          withoutCertificate(target, notifyPaths[i % notifyPaths.length] ?? "/"),
        );
        await party.kept(`while ${handshakes} handshakes without a certificate are under way`);
        const outcomes = await all;
        expectThat(
          outcomes.every((o) => o === "refused"),
          `all ${handshakes} refused in the handshake`,
          tally(outcomes),
        );
        await party.kept(`after ${handshakes} handshakes without a certificate`);
      },
    },
    {
      clause: "H5.3",
      title: `${slowClients} clients that never finish their bodies, and as many that never finish their handshakes, do not stop the server answering others`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-3");
        const opened = await Promise.allSettled(
          Array.from({ length: 2 * slowClients }, (_, i) =>
            i % 2 === 0
              ? slowClient(target, notifyPaths[i % notifyPaths.length] ?? "/")
              : stalledHandshake(target),
          ),
        );
        const slow: SlowClient[] = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
        const failed = opened.find((o) => o.status === "rejected");
        if (failed !== undefined) {
          for (const s of slow) s.destroy();
          throw new ClauseFailure(
            `expected ${slowClients} slow clients to connect; saw ${messageOf(failed.reason)}`,
          );
        }
        try {
          await party.kept(
            `while ${slowClients} clients hold unfinished bodies and ${slowClients} unfinished handshakes`,
          );
          const wrong = await postNow(target, "/notify/device/online", "{}");
          expectThat(
            wrong.json?.code === 1001,
            "code 1001 for a C15 without a token meanwhile",
            shownAnswer(wrong),
          );
        } finally {
          for (const s of slow) s.destroy();
        }
        await party.kept("after the slow clients left");
      },
    },
    {
      clause: "H5.4",
      title: `a client that never finishes its body is ended within ${slowBodyMs / 1000} s of the server's time`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-4");
        const slow = await slowClient(target, "/notify/device/status");
        try {
          await pause(target, slowBodyMs);
          await realTime(slow.ended, 2000).catch(() => undefined);
          expectThat(
            slow.closed(),
            `the connection ended by the server within ${slowBodyMs} ms (${slowBodyMs / 1000} s) of an unfinished body (Content-Length 1000, 10 bytes sent)`,
            "it still open",
          );
        } finally {
          slow.destroy();
        }
        await party.kept("after the slow client");
      },
    },
    {
      clause: "H5.5",
      title: `bodies over the limit (${OVER_LIMIT / 2 ** 20} MiB; hilfarm's is 1 MiB) are refused with 413, declared or chunked, on C11 and C16`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-5");
        const huge = (field: string) => `{"${field}":"${"x".repeat(OVER_LIMIT)}"}`;
        for (const [path, field] of [
          ["/notify/token", "platformKey"],
          ["/notify/device/status", "deviceSN"],
        ] as const) {
          for (const chunked of [false, true]) {
            const how = chunked ? "chunked" : "with its Content-Length";
            let seen: string;
            try {
              const answer = await postNow(target, path, huge(field), {
                ...(chunked ? { headers: { "transfer-encoding": "chunked" } } : {}),
              });
              if (answer.status === 413) continue;
              seen = shownAnswer(answer);
            } catch (error) {
              seen = messageOf(error);
            }
            throw new ClauseFailure(
              `expected 413 for a ${OVER_LIMIT}-byte body on ${path} sent ${how}; saw ${seen}`,
            );
          }
        }
        await party.kept("after the bodies over the limit");
      },
    },
    {
      clause: "H5.6",
      title: `JSON nested ${DEEP.toLocaleString("en")} deep on every C11-C18 path is answered code 1002 naming body (7.3.1.9), and the server keeps serving`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-6");
        for (const path of notifyPaths) {
          for (const body of [
            nestedArrays(DEEP),
            nestedObjects(DEEP),
            `{"access_token":"x","status":${nestedArrays(DEEP)}}`,
          ]) {
            const answer = await postNow(target, path, body);
            const desc = typeof answer.json?.desc === "string" ? answer.json.desc : "";
            expectThat(
              answer.status === 200 && answer.json?.code === 1002 && desc.includes("body"),
              `code 1002 naming body for ${body.slice(0, 12)}... (${body.length} bytes) on ${path}`,
              shownAnswer(answer),
            );
          }
        }
        await party.kept("after the deep JSON");
      },
    },
    {
      clause: "H5.7",
      title: `${wrongTokens} C11s with wrong credentials are each refused (1002) and issue no token: the legitimate third party's token stays valid`,
      run: async (target) => {
        const party = await legitParty(target, "HOSTILE-C-KEEP-7");
        const wrong = (i: number): Record<string, unknown> => {
          const seq = sequenceNo(target);
          const variants: Array<Record<string, unknown>> = [
            { platformId: target.platformId, platformKey: `${target.platformKey}x`, sequenceNo: seq },
            { platformId: target.platformId, platformKey: "", sequenceNo: seq },
            {
              platformId: `${target.platformId}x`,
              platformKey: target.platformKey.slice(1),
              sequenceNo: seq,
            },
            { platformId: target.platformId, platformKey: [target.platformKey], sequenceNo: seq },
            { platformId: target.platformId, platformKey: null, sequenceNo: seq },
            JSON.parse(`{"__proto__":{"platformKey":"x"},"platformId":${JSON.stringify(target.platformId)}}`),
          ];
          return variants[i % variants.length] ?? {};
        };
        const answers = await burst(wrongTokens, (i) =>
          postNow(target, "/notify/token", JSON.stringify(wrong(i))).then(
            (a) => a,
            (error: unknown) => ({ status: 0, text: messageOf(error), json: undefined }),
          ),
        );
        const issued = answers.filter((a) => a.json?.access_token !== undefined).length;
        const codes = answers.map((a) =>
          a.json === undefined
            ? `no JSON (${a.status} ${a.text.slice(0, 60)})`
            : `code ${String(a.json.code)}`,
        );
        expectThat(issued === 0, "no token issued to wrong credentials", `${issued} issued`);
        expectThat(
          codes.every((c) => c === "code 1002"),
          `code 1002 for all ${wrongTokens}`,
          tally(codes),
        );
        await party.kept(`after ${wrongTokens} wrong C11s`);
      },
    },
  ];
}
