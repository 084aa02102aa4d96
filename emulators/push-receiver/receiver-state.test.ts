import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../harness/errors.ts";
import {
  abnormalAnswer,
  aqaraCodes,
  PUSH_SUCCESS_ANSWER,
  signPush,
} from "../../harness/protocol/aqara/index.ts";
import { shownMisbehaviour, takePushFault, withPushMisbehaviour } from "./misbehaviour.ts";
import { type ReceivedRequest, ReceiverBook } from "./receiver-state.ts";

const NOW = Date.UTC(2026, 0, 1);
const KEY = "push-key-1";
const SECRET = "0123456789abcdef0123456789abcdef";

function signed(
  nonce: string,
  time = NOW,
  body: unknown = { token: "c1,c2", data: '{"v":1}' },
): ReceivedRequest {
  const t = String(time);
  return {
    method: "POST",
    target: "/",
    headers: { time: t, nonce, appkey: KEY, sign: signPush({ appkey: KEY, nonce, time: t }, SECRET) },
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    now: NOW,
  };
}

const book = (misbehaviour = {}) =>
  new ReceiverBook({
    signing: { appKey: KEY, appSecret: SECRET },
    toleranceMs: 60_000,
    maxBodyBytes: 1024,
    bodyDeadlineMs: 30_000,
    misbehaviour,
  });

describe("the misbehaviour switches", () => {
  it("apply for the next N pushes, fail500 before abnormal, slowMs on top, and switch themselves off", () => {
    let m = withPushMisbehaviour(
      { abnormal: 0, fail500: 0, slowMs: 0, slowCount: 0 },
      { abnormal: 1, fail500: 1, slowMs: 700, slowCount: 2 },
    );
    const faults: Array<[string | undefined, number]> = [];
    for (let i = 0; i < 3; i++) {
      const taken = takePushFault(m);
      faults.push([taken.fault, taken.delayMs]);
      m = taken.next;
    }
    expect(faults).toEqual([
      ["fail500", 700],
      ["abnormal", 700],
      [undefined, 0],
    ]);
    expect(shownMisbehaviour(m)).toEqual({ abnormal: false, fail500: false, slowMs: 0, slowCount: false });
    const always = withPushMisbehaviour(m, { abnormal: true, slowMs: 5 });
    expect(shownMisbehaviour(takePushFault(always).next)).toEqual({
      abnormal: true,
      fail500: false,
      slowMs: 5,
      slowCount: true,
    });
  });

  it("refuses an unknown switch or a bad value, naming it", () => {
    const off = { abnormal: 0, fail500: 0, slowMs: 0, slowCount: 0 };
    expect(() => withPushMisbehaviour(off, { slow: 1 })).toThrow(/no switch "slow"/);
    expect(() => withPushMisbehaviour(off, { abnormal: -1 })).toThrow(/abnormal: .*got -1/);
    expect(() => withPushMisbehaviour(off, { slowMs: "x" })).toThrow(/slowMs/);
    expect(() => withPushMisbehaviour(off, [])).toThrow(UsageError);
  });
});

describe("ReceiverBook", () => {
  it("accepts a signed push, records its headers, body and client ids, and answers the documented success", () => {
    const b = book();
    const { record, answer } = b.receive(signed("n-1"));
    expect(answer).toMatchObject({ kind: "success", status: 200, delayMs: 0 });
    expect(JSON.parse(answer?.text ?? "")).toEqual(PUSH_SUCCESS_ANSWER);
    expect(record).toMatchObject({
      event: "push",
      seq: 1,
      receivedAt: NOW,
      verdict: "accepted",
      code: 0,
      body: { token: "c1,c2", data: '{"v":1}' },
      clientIds: ["c1", "c2"],
      headers: { nonce: "n-1", appkey: KEY },
    });
    expect(record.headers.sign).toMatch(/^[0-9a-f]{32}$/);
    expect(b.nonces.size).toBe(1);
  });

  it("refuses a reused nonce with 904, and a refused push does not use up its nonce", () => {
    const b = book();
    const bad = { ...signed("n-2"), headers: { ...signed("n-2").headers, sign: "0".repeat(32) } };
    expect(b.receive(bad).record).toMatchObject({ verdict: "refused", code: 902, field: "sign" });
    expect(b.receive(signed("n-2")).record.code).toBe(0);
    const again = b.receive(signed("n-2"));
    expect(again.record).toMatchObject({ code: 904, field: "nonce" });
    expect(JSON.parse(again.answer?.text ?? "")).toMatchObject({
      code: aqaraCodes.nonceReused.code,
      requestId: "",
      message: aqaraCodes.nonceReused.message,
    });
  });

  it("refuses bodies that are not {token, data}: 302 for a missing field, 303 otherwise, naming the field", () => {
    const b = book();
    const cases: Array<[unknown, number, string]> = [
      [{ data: "x" }, 302, "token"],
      [{ token: "c1" }, 302, "data"],
      [{ token: "c1", data: 5 }, 303, "data"],
      [{ token: "c1", data: "x", more: 1 }, 303, "body"],
      [[1, 2], 303, "body"],
      ["not json", 303, "body"],
    ];
    cases.forEach(([body, code, field], i) => {
      const { record, answer } = b.receive(signed(`body-${i}`, NOW, body));
      expect(record, JSON.stringify(body)).toMatchObject({ verdict: "refused", code, field });
      expect(answer?.status).toBe(200);
    });
    expect(b.nonces.size).toBe(0);
  });

  it("fail500 does not take the push (its nonce stays free); abnormal takes it and answers outside the format", () => {
    const b = book({ fail500: 1, abnormal: 1 });
    const failed = b.receive(signed("n-3"));
    expect(failed.answer).toMatchObject({ kind: "fail500", status: 500 });
    expect(failed.record).toMatchObject({ verdict: "accepted", answer: { kind: "fail500", status: 500 } });
    const odd = b.receive(signed("n-3"));
    expect(odd.record.verdict).toBe("accepted");
    expect(abnormalAnswer(odd.answer?.status ?? 0, odd.answer?.text ?? "", "code")).toBeDefined();
    expect(b.receive(signed("n-3")).record.code).toBe(904);
  });

  it("never records the app secret, wherever a sender put it", () => {
    const b = book();
    const leaky = signed("n-4", NOW, { token: `c1,${SECRET}`, data: `x${SECRET}y` });
    const { record } = b.receive({ ...leaky, headers: { ...leaky.headers, "x-secret": SECRET } });
    const line = JSON.stringify(record);
    expect(line).not.toContain(SECRET);
    expect(record.body?.data).toBe("x[redacted]y");
  });

  it("refuses another path with 404 and another method with 405, with no misbehaviour applied", () => {
    const b = book({ fail500: true });
    expect(b.receive({ ...signed("p"), target: "/other?x=1" }).answer).toMatchObject({
      status: 404,
      kind: "refusal",
    });
    const get = b.receive({ ...signed("q"), method: "GET" });
    expect(get.answer).toMatchObject({ status: 405, headers: { allow: "POST" } });
    expect(b.receive(signed("r")).answer?.status).toBe(500);
  });
});

describe("ReceiverBook, as a property", () => {
  it("accepts each nonce at most once within the window, whatever the order and the faults", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            nonce: fc.constantFrom("a", "b", "c", "d"),
            step: fc.integer({ min: 0, max: 40_000 }),
            fault: fc.constantFrom({}, { fail500: 1 }, { abnormal: 1 }, { slowMs: 10, slowCount: 1 }),
          }),
          { maxLength: 40 },
        ),
        (pushes) => {
          const b = book();
          let now = NOW;
          const acceptedAt = new Map<string, number>();
          for (const { nonce, step, fault } of pushes) {
            now += step;
            b.misbehave(fault);
            const { record, answer } = b.receive({ ...signed(nonce, now), now });
            const taken = record.verdict === "accepted" && answer?.kind !== "fail500";
            const last = acceptedAt.get(nonce);
            if (taken) {
              expect(last === undefined || now - last > 60_000).toBe(true);
              acceptedAt.set(nonce, now);
            } else if (record.verdict === "refused") expect(record.code).toBe(904);
          }
        },
      ),
    );
  });
});
