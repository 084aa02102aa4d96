import type { AqaraApiTarget } from "../conformance/aqara-api-target.ts";
import { pause } from "../conformance/c-probe.ts";
import { type ClauseCheck, expectThat } from "../conformance/clause.ts";
import {
  envelopeOf,
  forgeries,
  freshNonce,
  isRefusal,
  legitAqaraApp,
  outcomeOf,
  type RawAnswer,
  rawAqaraRequest,
  type SlowBodyState,
  signedCall,
  signedHeaders,
  tally,
  unfinishedAqaraBody,
} from "./aqara-api-wire.ts";
import { realTime } from "./real-time.ts";
import { nestedArrays, nestedObjects } from "./wire.ts";

/**
 * H9: hostile input on an Aqara-style open API (000_0e61b4fd1fe27231.txt; the signing, codes and intents are
 * hilfarm's readings, docs/protocol-readings.md). Nothing from the wire may stop it, hold it, answer it with a server
 * error, pass a forged request, or move the legitimate app's session: before each clause that app takes its UI-SDK
 * token; afterwards a call with that token must still succeed (code 0).
 */

export interface AqaraApiHostileOptions {
  /** Wrongly signed requests sent at once (H9.5). Default 200. */
  burst?: number;
  /** How long, on the target's time, an unfinished body may hold its connection (H9.4). Default 30 s. */
  slowBodyMs?: number;
}

/** Over any sensible body limit (hilfarm's is 64 KiB): "over 1 MiB". */
const OVER_LIMIT = 2 * 1024 * 1024;
const DEEP = 10_000;

/** Every answer a refusal in the envelope (or, `mayPass`, any envelope), none code 500 nor HTTP 5xx. */
function expectRefusals(answers: readonly RawAnswer[], what: string, mayPass = false): void {
  const bad = answers.filter((a) =>
    mayPass ? envelopeOf(a)?.code === 500 || !envelopeOf(a) : !isRefusal(a),
  );
  const expected = mayPass ? "HTTP 200 with an envelope" : "HTTP 200 with a refusal envelope";
  expectThat(bad.length === 0, `${expected} (never code 500) for each of ${what}`, tally(answers));
}

export function aqaraApiHostileClauses(options: AqaraApiHostileOptions = {}): ClauseCheck<AqaraApiTarget>[] {
  const burst = options.burst ?? 200;
  const slowBodyMs = options.slowBodyMs ?? 30_000;
  return [
    {
      clause: "H9.1",
      title:
        "validly signed bodies that are not a request (garbage, not JSON, 10,000-deep nesting, prototype keys, wrong types for intent and data) are each refused with HTTP 200 and a refusal envelope, never code 500",
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const { sdkInit, deviceInfo } = target.intents;
        const bodies = [
          Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff)),
          Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
          ...["", "not json", "{", "null", "[]", "42", '"x"'].map((s) => Buffer.from(s)),
          Buffer.from(nestedArrays(DEEP)),
          Buffer.from(nestedObjects(DEEP)),
          Buffer.from(`{"intent":${nestedObjects(DEEP)}}`),
          Buffer.from(`{"intent":"${deviceInfo}","data":{"dids":${nestedArrays(DEEP)}}}`),
          ...[
            `{"__proto__":{"intent":"${sdkInit}"}}`,
            `{"constructor":{"prototype":{"intent":"${sdkInit}"}}}`,
            ...["__proto__", "constructor", "toString", "hasOwnProperty", `${sdkInit}\\u0000`, ""].map(
              (intent) => `{"intent":"${intent}","data":{}}`,
            ),
            `{"intent":"${"x".repeat(60_000)}"}`,
            ...[`["${sdkInit}"]`, "42", "null", "{}", "true"].map((intent) => `{"intent":${intent}}`),
            ...['"x"', "[]", "42", "null", "true"].map((data) => `{"intent":"${sdkInit}","data":${data}}`),
          ].map((s) => Buffer.from(s)),
        ];
        const answers: RawAnswer[] = [];
        for (const body of bodies) answers.push(await signedCall(target, body));
        expectRefusals(answers, `${bodies.length} bodies that are not a request`);
        await legit.kept("after the bodies that are not a request");
      },
    },
    {
      clause: "H9.2",
      title:
        "forged headers (none, a wrong or another key's Sign, an unknown Appid or Keyid, a stale or malformed Time, a reused Nonce, a never-issued Accesstoken, 8 KiB values) are refused with the documented code (302, 303, 901-904, 108), never a success",
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const body = Buffer.from(JSON.stringify({ intent: target.intents.deviceInfo, data: {} }));
        const cases = forgeries(target, legit.token);
        // A nonce used once (by a valid call) and then replayed with a valid sign.
        const replayed = signedHeaders(target, { accessToken: legit.token, nonce: freshNonce() });
        await rawAqaraRequest(target, { headers: replayed, body });
        cases.push({ name: "a reused Nonce", codes: [904], headers: () => replayed });
        const wrong: string[] = [];
        for (const forged of cases) {
          const answer = await rawAqaraRequest(target, { headers: forged.headers(), body });
          const code = envelopeOf(answer)?.code;
          if (code === undefined || !forged.codes.includes(code))
            wrong.push(`${forged.name}: ${outcomeOf(answer)} (expected ${forged.codes.join(" or ")})`);
        }
        expectThat(
          wrong.length === 0,
          `each of ${cases.length} forged requests refused with its code`,
          wrong.join("; "),
        );
        await legit.kept("after the forged headers");
      },
    },
    {
      clause: "H9.3",
      title:
        "validly signed requests with hostile data (wrong types in every field, 10,000-deep nesting, prototype keys, 1000 device ids, a lone surrogate) on every intent served are answered with the envelope, never code 500",
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const data = [
          "{}",
          ...["{}", "[]", "1e308", "null", "true", `"${"0".repeat(32)}"`, '"\\ud800"'].flatMap((v) => [
            `{"token":${v}}`,
            `{"dids":${v}}`,
          ]),
          `{"token":"${"t".repeat(60_000)}"}`,
          `{"token":${nestedArrays(DEEP)}}`,
          `{"dids":${nestedObjects(DEEP)}}`,
          `{"dids":[${Array.from({ length: 101 }, (_, i) => `"d${i}"`).join(",")}]}`,
          `{"dids":[${Array.from({ length: 1000 }, () => `"${"a".repeat(40)}"`).join(",")}]}`,
          '{"dids":[1,{},null,[]]}',
          '{"__proto__":{"token":"x","dids":[]}}',
          '{"constructor":{"prototype":{"polluted":1}},"toString":1,"valueOf":1,"hasOwnProperty":1}',
        ];
        const intents = [...new Set(Object.values(target.intents))];
        const answers: RawAnswer[] = [];
        for (const intent of intents)
          for (const d of data)
            answers.push(
              await signedCall(target, Buffer.from(`{"intent":"${intent}","data":${d}}`), legit.token),
            );
        expectRefusals(
          answers,
          `${answers.length} validly signed hostile data on ${intents.length} intents`,
          true,
        );
        await legit.kept("after the hostile data");
      },
    },
    {
      clause: "H9.4",
      title: `a body over 1 MiB is refused (a refusal envelope, HTTP 413, or the connection ended), and one that never ends is ended within ${slowBodyMs / 1000} s of the API's time`,
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const big = await signedCall(target, Buffer.alloc(OVER_LIMIT, 0x20));
        const bigRefused = big.status === undefined || big.status === 413 || isRefusal(big);
        const slow = unfinishedAqaraBody(target);
        let slowState: SlowBodyState;
        try {
          await pause(target, slowBodyMs);
          await realTime(slow.ended, Math.min(2000, slowBodyMs)).catch(() => undefined);
          slowState = slow.state();
        } finally {
          slow.destroy();
        }
        const slowEnded =
          slowState.kind === "closed" ||
          (slowState.kind === "answered" &&
            (isRefusal(slowState.answer) || /^4/.test(String(slowState.answer.status))));
        const seen =
          slowState.kind === "answered"
            ? outcomeOf(slowState.answer)
            : slowState.kind === "closed"
              ? "it closed"
              : "it still open";
        expectThat(
          bigRefused && slowEnded,
          `a ${OVER_LIMIT}-byte body refused, and an unfinished body (Content-Length 1000, 10 bytes sent) ended or refused within ${slowBodyMs} ms`,
          `the big body: ${outcomeOf(big)}; the unfinished body: ${seen}`,
        );
        await legit.kept("after the oversized and unfinished bodies");
      },
    },
    {
      clause: "H9.5",
      title: `a burst of ${burst} requests at once with the legitimate Appid and Accesstoken and wrong signs is refused, and does not move the legitimate token`,
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const body = Buffer.from(JSON.stringify({ intent: target.intents.deviceInfo, data: {} }));
        const answers = await Promise.all(
          Array.from({ length: burst }, (_, i) =>
            rawAqaraRequest(target, {
              headers: signedHeaders(target, { accessToken: legit.token, appKey: `wrong-key-${i % 10}` }),
              body,
              wait: "real",
            }),
          ),
        );
        expectRefusals(answers, `${burst} wrongly signed requests at once`);
        await legit.kept("after the burst");
      },
    },
    {
      clause: "H9.6",
      title:
        "validly signed requests on odd targets (//v3.0//open/api, /.., %ZZ, %00, an 8 KiB path, /__proto__) and with other methods (GET, PUT, DELETE, PATCH, OPTIONS, TRACE) are refused with a refusal envelope, never code 500",
      run: async (target) => {
        const legit = await legitAqaraApp(target);
        const body = Buffer.from(JSON.stringify({ intent: target.intents.deviceInfo, data: {} }));
        const path = new URL(target.url).pathname;
        const odd = [
          path.replace(/\//g, "//"),
          `${path}/`,
          `${path}/..`,
          `${path}/../api`,
          `${path}%00`,
          "/%ZZ",
          `/${"x".repeat(8192)}`,
          "/__proto__",
          "/constructor",
        ].map((p) => ({ method: "POST", path: p }));
        const methods = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"].map((m) => ({
          method: m,
          path,
        }));
        const answers: RawAnswer[] = [];
        for (const request of [...odd, ...methods])
          answers.push(
            await rawAqaraRequest(target, {
              ...request,
              headers: signedHeaders(target, { accessToken: legit.token }),
              body,
            }),
          );
        expectRefusals(answers, `${odd.length} odd request targets and ${methods.length} other methods`);
        await legit.kept("after the odd targets and methods");
      },
    },
  ];
}
