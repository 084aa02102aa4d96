import { lockEndpoints } from "../../harness/protocol/lock-api/endpoints.ts";
import { signRequest } from "../../harness/protocol/lock-api/signing.ts";
import { pause } from "../conformance/c-probe.ts";
import { type ClauseCheck, expectThat } from "../conformance/clause.ts";
import type { LockApiTarget } from "../conformance/lock-api-target.ts";
import {
  envelopeOf,
  legitLockClient,
  outcomeOf,
  type RawAnswer,
  rawLockRequest,
  signedLockRequest,
  unfinishedBody,
} from "./lock-api-wire.ts";
import { realTime } from "./real-time.ts";
import { nestedArrays, nestedObjects } from "./wire.ts";

/**
 * H7: hostile input on a smart-lock open API (the seed's envelope, signing and tokens). Nothing from the wire may
 * stop it, hold it, answer it with a server error, or move the legitimate client's token: before each clause that
 * client takes its token; afterwards a call with that token must still pass the token check.
 */

export interface LockApiHostileOptions {
  /** Wrong signatures sent at once (H7.5). Default 200. */
  burst?: number;
  /** How long, on the target's time, an unfinished body may hold its connection (H7.4). Default 30 s. */
  slowBodyMs?: number;
}

/** Over hilfarm's body limit (1 MiB) and any sensible one. */
const OVER_LIMIT = 2 * 1024 * 1024;
const DEEP = 10_000;
/** A device no target has: requests about it reach the device check, never a real lock. */
const NO_LOCK = "hilfarm-no-such-lock";

function tally(answers: readonly RawAnswer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(outcomeOf(a), (counts.get(outcomeOf(a)) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o}: ${n}`).join(", ");
}

/** Every answer HTTP 200 with a failure envelope (or, `mayPass`, a success), none code 500. */
function expectRefusals(answers: readonly RawAnswer[], what: string, mayPass = false): void {
  const bad = answers.filter((a) => {
    const envelope = envelopeOf(a);
    if (envelope === undefined) return true;
    return envelope.success ? !mayPass : envelope.code === 500;
  });
  const expected = mayPass ? "HTTP 200 with an envelope" : "HTTP 200 with a failure envelope";
  expectThat(bad.length === 0, `${expected} (never code 500) for each of ${what}`, tally(answers));
}

/** A lock of the target to aim bodies at (so they reach the endpoint's checks), else a device nobody has. */
const someLock = (target: LockApiTarget) => target.locks.wifi ?? Object.values(target.locks)[0] ?? NO_LOCK;

export function lockApiHostileClauses(options: LockApiHostileOptions = {}): ClauseCheck<LockApiTarget>[] {
  const burst = options.burst ?? 200;
  const slowBodyMs = options.slowBodyMs ?? 30_000;
  return [
    {
      clause: "H7.1",
      title:
        "unsigned and wrongly signed requests (no headers, an unknown client, a wrong sign, a stale or absurd t, an 8 KiB header) are each refused with HTTP 200 and a failure envelope",
      run: async (target) => {
        const legit = await legitLockClient(target);
        const path = `/v1.0/devices/${someLock(target)}/door-lock/temp-passwords`;
        const good = (t: number) =>
          signRequest({
            clientId: target.clientId,
            secret: target.secret,
            accessToken: legit.token,
            method: "GET",
            target: path,
            t,
          });
        const now = target.clock.now();
        const variants: Array<Record<string, string>> = [
          {},
          { ...good(now), client_id: "hilfarm-unknown-client" },
          { ...good(now), sign: "0".repeat(64) },
          good(now - 24 * 3600_000),
          { ...good(now), t: "1e308" },
          { ...good(now), t: "-1" },
          { ...good(now), access_token: "x".repeat(8192) },
          { ...good(now), sign_method: "MD5" },
          { ...good(now), "Signature-Headers": "a:b:c" },
        ];
        const answers = [];
        for (const headers of variants)
          answers.push(await rawLockRequest(target, "GET", path, headers, Buffer.alloc(0)));
        expectRefusals(answers, `${variants.length} unsigned or wrongly signed requests`);
        await legit.kept("after the wrongly signed requests");
      },
    },
    {
      clause: "H7.2",
      title:
        "validly signed requests with hostile bodies (10,000-deep nesting, prototype keys, wrong types in every field, invalid UTF-8, not JSON) on every endpoint that takes a body are answered with the envelope, never code 500 (an endpoint that needs no body may succeed)",
      run: async (target) => {
        const legit = await legitLockClient(target);
        const device = someLock(target);
        const bodies: Buffer[] = [
          Buffer.from(nestedArrays(DEEP)),
          Buffer.from(nestedObjects(DEEP)),
          Buffer.from(`{"schedule_list":${nestedArrays(DEEP)}}`),
          Buffer.from('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
          Buffer.from(
            JSON.stringify({
              password: [],
              password_type: 1,
              ticket_id: {},
              effective_time: "x",
              invalid_time: null,
              type: 1e308,
              name: [[{}]],
              open: "yes",
              remote_unlock_type: 7,
              user_id: {},
              role: 3,
            }),
          ),
          Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
          Buffer.from("{"),
          Buffer.from("null"),
        ];
        const takingBodies = Object.values(lockEndpoints).filter(
          (e) => e.method === "POST" || e.method === "PUT",
        );
        const answers: RawAnswer[] = [];
        for (const endpoint of takingBodies)
          for (const body of bodies) {
            const path = endpoint.path.replace("{device_id}", device).replace(/\{[a-z_]+\}/g, "1");
            answers.push(await signedLockRequest(target, endpoint.method, path, body));
          }
        expectRefusals(
          answers,
          `${answers.length} validly signed hostile bodies on ${takingBodies.length} endpoints`,
          true,
        );
        await legit.kept("after the hostile bodies");
      },
    },
    {
      clause: "H7.3",
      title:
        "a body over 1 MiB is refused (a failure envelope, or the connection ended) and the server keeps serving",
      run: async (target) => {
        const legit = await legitLockClient(target);
        const path = `/v1.0/devices/${someLock(target)}/door-lock/temp-password`;
        const answer = await signedLockRequest(target, "POST", path, Buffer.alloc(OVER_LIMIT, 0x20));
        const envelope = envelopeOf(answer);
        expectThat(
          answer.status === undefined ||
            answer.status === 413 ||
            (envelope !== undefined && !envelope.success && envelope.code !== 500),
          `a ${OVER_LIMIT}-byte body refused`,
          outcomeOf(answer),
        );
        await legit.kept("after the oversized body");
      },
    },
    {
      clause: "H7.4",
      title: `a client that never finishes its body is ended within ${slowBodyMs / 1000} s of the server's time`,
      run: async (target) => {
        const legit = await legitLockClient(target);
        const slow = await unfinishedBody(
          target,
          `/v1.0/devices/${someLock(target)}/door-lock/temp-password`,
        );
        try {
          await pause(target, slowBodyMs);
          await realTime(slow.ended, 2000).catch(() => undefined);
          expectThat(
            slow.closed(),
            `the connection ended by the server within ${slowBodyMs} ms of an unfinished body (Content-Length 1000, 10 bytes sent)`,
            "it still open",
          );
        } finally {
          slow.destroy();
        }
        await legit.kept("after the unfinished body");
      },
    },
    {
      clause: "H7.5",
      title: `a burst of ${burst} requests at once with the legitimate client id and wrong signatures is answered, and does not move the legitimate token`,
      run: async (target) => {
        const legit = await legitLockClient(target);
        const path = `/v1.0/devices/${NO_LOCK}/door-lock/temp-passwords`;
        const answers = await Promise.all(
          Array.from({ length: burst }, (_, i) => {
            const headers = signRequest({
              clientId: target.clientId,
              secret: `${"w".repeat(31)}${i % 10}`,
              accessToken: legit.token,
              method: "GET",
              target: path,
              t: target.clock.now(),
            });
            return rawLockRequest(target, "GET", path, headers, Buffer.alloc(0), "real");
          }),
        );
        expectRefusals(answers, `${burst} wrongly signed requests at once`);
        await legit.kept("after the burst");
      },
    },
    {
      clause: "H7.6",
      title:
        "request targets that are not the API's paths (//v1.0//devices, %ZZ, ../, an 8 KiB path, a NUL) are refused with a failure envelope, never code 500",
      run: async (target) => {
        const legit = await legitLockClient(target);
        const targets = [
          "//v1.0//devices",
          "/v1.0/devices/%ZZ/door-lock/temp-passwords",
          "/v1.0/devices/..%2F..%2Fetc/door-lock/temp-passwords",
          `/v1.0/devices/${"x".repeat(8192)}/door-lock/temp-passwords`,
          "/v1.0/devices/%00/door-lock/temp-passwords",
          "/v1.0/token/%ZZ",
          "/v9.9/anything?x=%ZZ",
        ];
        const answers = [];
        for (const path of targets)
          answers.push(await signedLockRequest(target, "GET", path, Buffer.alloc(0)));
        expectRefusals(answers, `${targets.length} odd request targets`);
        await legit.kept("after the odd targets");
      },
    },
  ];
}
