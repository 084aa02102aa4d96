import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { createLogger } from "../../harness/log/logger.ts";
import { abnormalAnswer, aqaraCodes, pushBody } from "../../harness/protocol/aqara/index.ts";
import type { PushRecord } from "./push-record.ts";
import { type PushReceiver, startPushReceiver } from "./receiver-server.ts";
import { sendPush } from "./testing/send-push.ts";

/**
 * The receiver under hostile input: nothing from the wire ends it or grows it without bound, a body that never ends is
 * ended on its clock, and the next good push is still answered.
 */

const signing = { appKey: "push-key-1", appSecret: "0123456789abcdef0123456789abcdef" };
const clock = new VirtualClock();
const records: PushRecord[] = [];
const CAPACITY = 8;
let receiver: PushReceiver;
let n = 0;

beforeAll(async () => {
  receiver = await startPushReceiver({
    clock,
    logger: createLogger({ level: "silent" }),
    signing,
    nonceCapacity: CAPACITY,
    onRecord: (r) => records.push(r),
  });
});
afterAll(async () => {
  await receiver.close();
});

/** Raw bytes on a connection of their own: what came back before the receiver closed it (or we gave up). */
function raw(bytes: Buffer | string, end = true): Promise<string> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(receiver.url);
    const socket = connect(Number(port), hostname);
    let text = "";
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(text));
    socket.write(bytes, () => {
      if (end) socket.end();
    });
  });
}

const good = () =>
  sendPush(receiver.url, { time: clock.now(), nonce: `good-${++n}`, signing, body: pushBody(["c"], "{}") });

async function expectStillGood(): Promise<void> {
  const reply = await good();
  expect(abnormalAnswer(reply.status, reply.text, "exact")).toBeUndefined();
}

describe("the push receiver under hostile input", () => {
  it("answers raw garbage with 400 or silence and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        const text = await raw(Buffer.from(bytes));
        expect(text === "" || text.startsWith("HTTP/1.1 400")).toBe(true);
      }),
      { numRuns: 30 },
    );
    await expectStillGood();
  });

  it("refuses huge headers (431) and a 10,000-deep JSON body (303), and keeps serving", async () => {
    const huge = await raw(`POST / HTTP/1.1\r\nHost: x\r\nnonce: ${"n".repeat(64 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    const deep = await sendPush(receiver.url, {
      time: clock.now(),
      nonce: "deep",
      signing,
      body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
    });
    expect(deep.status).toBe(200);
    expect(JSON.parse(deep.text)).toMatchObject({ code: aqaraCodes.illegalParameter.code });
    expect(records.at(-1)).toMatchObject({
      verdict: "refused",
      field: "body",
      bodyExcerpt: expect.any(String),
    });
    await expectStillGood();
  });

  it("refuses a body over 1 MiB without holding it, and keeps serving", async () => {
    const reply = await sendPush(receiver.url, {
      time: clock.now(),
      nonce: "big",
      signing,
      body: Buffer.alloc(3 * 1024 * 1024, 0x20),
    });
    expect(JSON.parse(reply.text)).toMatchObject({
      code: aqaraCodes.illegalParameter.code,
      msgDetails: expect.stringMatching(/body over 1048576 bytes/),
    });
    expect(records.at(-1)?.body).toBeUndefined();
    await expectStillGood();
  });

  it("ends a body that never ends after 30 s on its clock, records it, and leaves no timer behind", async () => {
    const closed = raw(`POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 100\r\n\r\n{"token"`, false);
    await clock.runUntil(() => clock.timerCount("http body deadline") === 1, { maxMs: 1000 });
    await clock.advanceAsync(30_000);
    expect(await closed).toBe("");
    expect(records.at(-1)).toMatchObject({
      verdict: "refused",
      answer: { kind: "none", status: null },
      reason: expect.stringMatching(/not received within 30000 ms/),
    });
    expect(clock.timerCount()).toBe(0);
    await expectStillGood();
  });

  it("holds at most its nonce capacity, however many pushes come", async () => {
    for (let i = 0; i < 3 * CAPACITY; i++) await expectStillGood();
    expect(receiver.book.nonces.size).toBeLessThanOrEqual(CAPACITY);
    expect(receiver.book.nonces.evicted).toBeGreaterThan(0);
  });
});
