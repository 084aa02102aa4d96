import { cInterfaces } from "../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";
import { type CTarget, sequenceNo } from "../conformance/c-probe.ts";
import { type ClauseCheck, ClauseFailure, expectThat } from "../conformance/clause.ts";
import { postNow, rawBytes, shownAnswer, withoutCertificate } from "./c-notify-wire.ts";
import { messageOf } from "./support.ts";
import { nestedArrays, nestedObjects } from "./wire.ts";

/**
 * H6: hostile input on a third-party platform's C21-C31 server (7.3.2; HTTPS with mutual TLS, 7.1.2, 7.1.4). Nothing
 * from the wire may stop it or move another client's token: before each clause a legitimate client takes a C21
 * token; afterwards its C26 (online query, 7.3.2.6) with that token must still pass the token check: code 0, or 1003
 * for a device not bound to the smart-home platform yet, never 1001.
 */

/** A third-party platform as these clauses see it (a `CThirdPartyTarget` is one). */
export interface CThirdPartyHostileTarget extends CTarget {
  readonly cloudId: string;
  /** A secret: never shown. */
  readonly cloudKey: string;
  /** A device the platform holds, for the legitimate client's queries. */
  readonly deviceSN: string;
}

const tpPaths = Object.values(cInterfaces)
  .filter((i) => i.side === "third-party")
  .map((i) => i.path);
const OVER_LIMIT = 2 * 1024 * 1024;
const DEEP = 10_000;
/** 7.3.2.12: the codes a refusal may carry. */
const REFUSALS: ReadonlySet<unknown> = new Set([
  cResultCodes.tokenInvalid,
  cResultCodes.badParameters,
  cResultCodes.deviceUnknown,
  cResultCodes.failure,
]);

/** A legitimate client: a C21 token (7.3.2.1); `kept` fails unless a C26 with it passes the token check. */
async function legitClient(target: CThirdPartyHostileTarget) {
  const { cloudId, cloudKey, deviceSN } = target;
  let token = "";
  try {
    const issued = await postNow(
      target,
      "/token",
      JSON.stringify({ cloudId, cloudKey, sequenceNo: sequenceNo(target) }),
    );
    token = typeof issued.json?.access_token === "string" ? issued.json.access_token : "";
    if (issued.json?.code !== 0 || token === "") throw new Error(`C21 answered ${shownAnswer(issued)}`);
  } catch (error) {
    throw new ClauseFailure(
      `expected a legitimate client to take a C21 token (before the hostile input); saw ${messageOf(error)}`,
    );
  }
  const kept = async (when: string): Promise<void> => {
    let seen: string;
    try {
      const body = { access_token: token, sequenceNo: sequenceNo(target), deviceSN };
      const answer = await postNow(target, "/device/online/get", JSON.stringify(body));
      // 7.3.2.12: 1001 is the token refused; 1003 comes after the token check (the device is not bound yet).
      if (answer.json?.code === 0 || answer.json?.code === cResultCodes.deviceUnknown) return;
      seen = shownAnswer(answer);
    } catch (error) {
      seen = messageOf(error);
    }
    throw new ClauseFailure(
      `expected the legitimate client's C26 on ${deviceSN}, with its C21 token, answered code 0 or 1003 (its token accepted) ${when}; saw ${seen}`,
    );
  };
  return { token: () => token, kept };
}

/** Hostile bodies: broken, deep, binary, wrong types, prototype keys; some with the legitimate token. */
function hostileBodies(token: string, seq: string): Array<[string, Buffer]> {
  const text = (name: string, body: string): [string, Buffer] => [name, Buffer.from(body)];
  const unknown = "HOSTILE-NO-SUCH-DEVICE";
  return [
    text("an empty body", ""),
    text("a cut object", "{"),
    text("null", "null"),
    text("an array", "[]"),
    text("1e400", "1e400"),
    ["binary", Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 53 + 7) & 0xff))],
    [
      "invalid UTF-8 in a string",
      Buffer.concat([
        Buffer.from('{"access_token":"'),
        Buffer.from([0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]),
    ],
    text(`arrays nested ${DEEP} deep`, nestedArrays(DEEP)),
    text(`objects nested ${DEEP} deep`, nestedObjects(DEEP)),
    text("prototype keys", '{"__proto__":{"access_token":"x"},"constructor":{"prototype":{"polluted":1}}}'),
    text(
      "wrong types",
      JSON.stringify({ access_token: 1, sequenceNo: [], deviceSN: {}, cloudId: null, cloudKey: 0 }),
    ),
    text(
      "the token with wrong types",
      JSON.stringify({ access_token: token, sequenceNo: seq, deviceSN: [unknown], control: "x", gwId: {} }),
    ),
    text(
      "the token with prototype keys",
      `{"access_token":${JSON.stringify(token)},"sequenceNo":"${seq}","deviceSN":"${unknown}","__proto__":{"deviceSN":"x"}}`,
    ),
    text(
      `the token with JSON nested ${DEEP} deep in a field`,
      `{"access_token":${JSON.stringify(token)},"sequenceNo":"${seq}","deviceSN":${nestedArrays(DEEP)}}`,
    ),
    text(
      "a 900 KB deviceSN",
      JSON.stringify({ access_token: token, sequenceNo: seq, deviceSN: "x".repeat(900_000) }),
    ),
  ];
}

export const cThirdPartyClauses: readonly ClauseCheck<CThirdPartyHostileTarget>[] = [
  {
    clause: "H6.1",
    title:
      "bytes that are not TLS on the C21-C31 port end the connection without an HTTP answer, and handshakes without a client certificate (100 at once) are refused in the handshake",
    run: async (target) => {
      const client = await legitClient(target);
      for (const [what, bytes] of [
        [
          "a plain HTTP request",
          Buffer.from("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
        ],
        ["binary garbage", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff))],
      ] as const) {
        const end = await rawBytes(target, bytes);
        expectThat(
          end.closed && !end.answer.toString("latin1").startsWith("HTTP/"),
          `the connection ended without an HTTP answer after ${what}`,
          end.failed ??
            (end.closed ? JSON.stringify(end.answer.subarray(0, 60).toString("latin1")) : "still open"),
        );
      }
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => withoutCertificate(target, tpPaths[i % tpPaths.length] ?? "/")),
      );
      const answered = outcomes.filter((o) => o !== "refused");
      expectThat(
        answered.length === 0,
        "all 100 refused in the handshake",
        `${answered.length} not: ${answered[0]}`,
      );
      await client.kept("after the non-TLS bytes and the handshakes without a certificate");
    },
  },
  {
    clause: "H6.2",
    title:
      "hostile bodies on every C21-C31 path (broken, deep, binary, wrong types, prototype keys, invalid UTF-8) are answered with a refusal code or a 4xx, never a 5xx or a success",
    run: async (target) => {
      const client = await legitClient(target);
      const wrong: string[] = [];
      for (const path of tpPaths) {
        for (const [what, body] of hostileBodies(client.token(), sequenceNo(target))) {
          try {
            const answer = await postNow(target, path, body);
            const refusedHttp = answer.status >= 400 && answer.status < 500;
            if (!refusedHttp && !(answer.status === 200 && REFUSALS.has(answer.json?.code)))
              wrong.push(`${path} ${what}: ${shownAnswer(answer)}`);
          } catch (error) {
            wrong.push(`${path} ${what}: ${messageOf(error)}`);
          }
        }
      }
      expectThat(wrong.length === 0, "a refusal for every hostile body", wrong.slice(0, 5).join("; "));
      await client.kept("after the hostile bodies");
    },
  },
  {
    clause: "H6.3",
    title: `bodies over the limit (${OVER_LIMIT / 2 ** 20} MiB; hilfarm's is 1 MiB) are refused with 413, declared or chunked, on C21 and C28`,
    run: async (target) => {
      const client = await legitClient(target);
      const huge = `{"cloudKey":"${"x".repeat(OVER_LIMIT)}"}`;
      for (const path of ["/token", "/device/control"]) {
        for (const chunked of [false, true]) {
          let seen: string;
          try {
            const answer = await postNow(target, path, huge, {
              ...(chunked ? { headers: { "transfer-encoding": "chunked" } } : {}),
            });
            if (answer.status === 413) continue;
            seen = shownAnswer(answer);
          } catch (error) {
            seen = messageOf(error);
          }
          const how = chunked ? "chunked" : "with its Content-Length";
          throw new ClauseFailure(
            `expected 413 for a ${OVER_LIMIT}-byte body on ${path} sent ${how}; saw ${seen}`,
          );
        }
      }
      await client.kept("after the bodies over the limit");
    },
  },
  {
    clause: "H6.4",
    title:
      "100 C21s with wrong credentials are each refused and issue no token: the legitimate client's token stays valid",
    run: async (target) => {
      const client = await legitClient(target);
      const { cloudId, cloudKey } = target;
      const variants = [
        { cloudId, cloudKey: `${cloudKey}x` },
        { cloudId: `${cloudId}x`, cloudKey },
        { cloudId, cloudKey: "" },
        { cloudId, cloudKey: [cloudKey] },
      ];
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          postNow(
            target,
            "/token",
            JSON.stringify({ ...variants[i % variants.length], sequenceNo: sequenceNo(target) }),
          ).catch((error: unknown) => ({ status: 0, text: messageOf(error), json: undefined })),
        ),
      );
      const issued = answers.filter((a) => a.json?.access_token !== undefined || a.json?.code === 0);
      expectThat(issued.length === 0, "no token issued to wrong credentials", `${issued.length} issued`);
      const unrefused = answers.filter((a) => !REFUSALS.has(a.json?.code));
      expectThat(
        unrefused.length === 0,
        "a refusal code for each",
        unrefused
          .slice(0, 3)
          .map((a) => shownAnswer(a))
          .join("; "),
      );
      await client.kept("after 100 wrong C21s");
    },
  },
];
