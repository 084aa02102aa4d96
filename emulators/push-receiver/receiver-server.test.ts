import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { createLogger } from "../../harness/log/logger.ts";
import {
  abnormalAnswer,
  aqaraCodes,
  PUSH_SUCCESS_ANSWER,
  type PushAnswerFormat,
  pushBody,
} from "../../harness/protocol/aqara/index.ts";
import type { PushMisbehaviourChange } from "./misbehaviour.ts";
import type { PushRecord } from "./push-record.ts";
import { type PushReceiver, startPushReceiver } from "./receiver-server.ts";
import { sendPush, type TestPush } from "./testing/send-push.ts";

const KEY = "push-key-1";
const SECRET = "0123456789abcdef0123456789abcdef";
const signing = { appKey: KEY, appSecret: SECRET };
const running: PushReceiver[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function start(options: { signing?: typeof signing; misbehaviour?: PushMisbehaviourChange } = {}) {
  const clock = new VirtualClock();
  const records: PushRecord[] = [];
  const receiver = await startPushReceiver({
    clock,
    logger: createLogger({ level: "silent" }),
    toleranceMs: 60_000,
    ...options,
    onRecord: (r) => records.push(r),
  });
  running.push(receiver);
  let n = 0;
  /** A push with fresh headers; `over` replaces any part. */
  const push = (over: Partial<TestPush> = {}) =>
    clock.runUntilSettled(
      sendPush(receiver.url, {
        time: clock.now(),
        nonce: `nonce-${++n}`,
        ...(options.signing === undefined ? {} : { signing }),
        body: pushBody(["client-a", "client-b"], JSON.stringify({ event: "state", n })),
        ...over,
      }),
    );
  return { clock, receiver, records, push };
}

const normal = (reply: { status: number; text: string }, format: PushAnswerFormat = "exact") =>
  abnormalAnswer(reply.status, reply.text, format) === undefined;

describe("the push receiver over HTTP", () => {
  it("answers a signed good push with the documented success, and records it", async () => {
    const { push, records, receiver } = await start({ signing });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const reply = await push();
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual(PUSH_SUCCESS_ANSWER);
    expect(normal(reply)).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      verdict: "accepted",
      clientIds: ["client-a", "client-b"],
      answer: { kind: "success", status: 200 },
    });
  });

  it("refuses each bad push with HTTP 200 and its code in the envelope, naming the header", async () => {
    const { push, clock } = await start({ signing });
    const cases: Array<[Partial<TestPush>, number]> = [
      [{ headers: { time: "" } }, aqaraCodes.missingParameter.code],
      [{ time: "yesterday" }, aqaraCodes.illegalParameter.code],
      [{ time: clock.now() - 60_001 }, aqaraCodes.timeInvalid.code],
      [{ signing: { ...signing, appKey: "someone-else" } }, aqaraCodes.unknownApp.code],
      [{ signing: { ...signing, sign: "f".repeat(32) } }, aqaraCodes.signInvalid.code],
      [{ signing: { ...signing, appSecret: "wrong-secret" } }, aqaraCodes.signInvalid.code],
      [{ body: { token: "a" } }, aqaraCodes.missingParameter.code],
      [{ body: "{not json" }, aqaraCodes.illegalParameter.code],
    ];
    for (const [over, code] of cases) {
      const reply = await push(over);
      expect(reply.status).toBe(200);
      const answer = JSON.parse(reply.text) as Record<string, unknown>;
      expect(answer, JSON.stringify(over)).toMatchObject({
        code,
        requestId: "",
        msgDetails: expect.any(String),
      });
      expect(normal(reply, "code")).toBe(false);
    }
    expect(JSON.parse((await push({ nonce: "once" })).text).code).toBe(0);
    expect(JSON.parse((await push({ nonce: "once" })).text).code).toBe(aqaraCodes.nonceReused.code);
  });

  it("checks time and nonce but not the sign when signing is off", async () => {
    const { push } = await start();
    expect(JSON.parse((await push({ nonce: "x" })).text).code).toBe(0);
    expect(JSON.parse((await push({ nonce: "x" })).text).code).toBe(aqaraCodes.nonceReused.code);
    expect(JSON.parse((await push({ headers: { nonce: "" } })).text).code).toBe(
      aqaraCodes.missingParameter.code,
    );
  });

  it("answers a burst of 100 concurrent pushes, each once, and records every one", async () => {
    const { clock, receiver, records } = await start({ signing });
    // Nothing here waits on the clock: the answers come on I/O alone.
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sendPush(receiver.url, {
          time: clock.now(),
          nonce: `burst-${i}`,
          signing,
          body: pushBody(["c"], `${i}`),
        }),
      ),
    );
    expect(replies.every((r) => normal(r))).toBe(true);
    expect(records.map((r) => r.body?.data).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `${i}`).sort(),
    );
    expect(new Set(records.map((r) => r.seq)).size).toBe(100);
  });

  it("takes a 500 KiB and a non-ASCII data whole", async () => {
    const { push, records } = await start({ signing });
    const big = JSON.stringify({ blob: "x".repeat(500 * 1024) });
    const text = JSON.stringify({ name: "Wohnzimmer Lampe · 客厅灯 🌙", note: "é\u0000\u2028" });
    expect(normal(await push({ body: pushBody(["c1"], big) }))).toBe(true);
    expect(normal(await push({ body: pushBody(["客户端-1", "c2"], text) }))).toBe(true);
    expect(records[0]?.body?.data).toBe(big);
    expect(records[1]?.body?.data).toBe(text);
    expect(records[1]?.clientIds).toEqual(["客户端-1", "c2"]);
  });

  it("misbehaves on command: abnormal, fail500 and slowMs for the next N pushes, then answers normally", async () => {
    const { push, clock, receiver, records } = await start({ signing, misbehaviour: { abnormal: 1 } });
    const odd = await push();
    expect(odd.status).toBe(200);
    expect(normal(odd, "code")).toBe(false);
    expect(normal(await push())).toBe(true);

    expect(receiver.misbehave({ fail500: 2 })).toMatchObject({ fail500: 2 });
    expect((await push()).status).toBe(500);
    expect((await push()).status).toBe(500);
    expect(normal(await push())).toBe(true);

    receiver.misbehave({ slowMs: 20_000, slowCount: 1 });
    const sentAt = clock.now();
    const slow = await push();
    expect(clock.now() - sentAt).toBe(20_000);
    expect(normal(slow)).toBe(true);
    const fastAt = clock.now();
    expect(normal(await push())).toBe(true);
    expect(clock.now()).toBe(fastAt);
    expect(records.map((r) => r.answer.kind)).toEqual([
      "abnormal",
      "success",
      "fail500",
      "fail500",
      "success",
      "success",
      "success",
    ]);
    expect(() => receiver.misbehave({ slow: 1 })).toThrow(/no switch/);
  });

  it("cancels held answers on close, leaving no timer", async () => {
    const { receiver, clock } = await start({ signing, misbehaviour: { slowMs: 50_000 } });
    const pending = sendPush(receiver.url, {
      time: clock.now(),
      nonce: "held",
      signing,
      body: pushBody(["c"], "x"),
    });
    pending.catch(() => undefined);
    await clock.runUntil(() => clock.timerCount("push-receiver-slow-answer") === 1, { maxMs: 1000 });
    await receiver.close();
    running.length = 0;
    await expect(pending).rejects.toThrow();
    expect(clock.timerCount()).toBe(0);
  });
});
