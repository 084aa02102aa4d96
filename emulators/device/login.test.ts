import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { Link } from "../../harness/link/socket-link.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { awaitLoginAnswer, loginRequest, loginRetryMs, loginVerdict } from "./login.ts";
import { defaultDeviceTiming } from "./options.ts";

const pinKey = CipherKey.fromPin("A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6");

function fakeLink() {
  const listeners: { line?: (line: Buffer) => void; close?: () => void } = {};
  const link: Link = {
    transport: "tcp",
    send: () => undefined,
    close: () => listeners.close?.(),
    onLine: (listener) => {
      listeners.line = listener;
    },
    onBadFrame: () => undefined,
    onClose: (listener) => {
      listeners.close = listener;
    },
  };
  return { link, listeners };
}

const answer = {
  result: 0,
  sequence: "12345",
  sessionKey: "abcdef0123456789",
  tcpHost: "127.0.0.1:1",
  udpHost: "127.0.0.1:2",
  token: "qwertyuiop123456",
  time: 1,
};

describe("login (5.3.1, 5.4.2.1)", () => {
  it("5.4.2.1 back-off: 60 s three times, then authInterval, or 600 s when the platform gave none", () => {
    const delays = (authInterval?: number) =>
      [1, 2, 3, 4, 5].map((n) => loginRetryMs(n, defaultDeviceTiming, authInterval) / 1000);
    expect(delays()).toEqual([60, 60, 60, 600, 600]);
    expect(delays(120)).toEqual([60, 60, 60, 120, 120]);
  });

  it("5.3.1 step 4: a 1003 that does not echo the device's sequence is a fake platform", () => {
    expect(loginVerdict(answer, 12345)).toBeUndefined();
    expect(loginVerdict(answer, 12346)).toBe("fake-platform");
    expect(loginVerdict({ ...answer, result: 200002 }, 12345)).toBe("refused");
  });

  it("the 1002 carries the device's id, version and random sequence", () => {
    expect(loginRequest("d1", "1.0.0.1", 7, 99)).toEqual({
      code: 1002,
      body: { sequence: "7", deviceId: "d1", version: "1.0.0.1", time: 99 },
    });
  });

  it("waits for the 1003 under the PIN; no answer within the response timeout is a timeout; a close is a refusal", async () => {
    const clock = new VirtualClock();
    const exchange = (link: Link) =>
      awaitLoginAnswer({
        link,
        clock,
        timeoutMs: 10_000,
        pinKey,
        framing: undefined,
        send: () => undefined,
        track: () => undefined,
      });
    const answered = fakeLink();
    const pending = exchange(answered.link);
    answered.listeners.line?.(encodeFrame({ code: 1003, body: answer }, { key: pinKey }));
    expect(await pending).toMatchObject({ message: { code: 1003, body: { token: answer.token } } });

    const silentLink = fakeLink();
    const timedOut = exchange(silentLink.link);
    clock.advance(10_000);
    expect(await timedOut).toBe("timeout");

    const closing = fakeLink();
    const refused = exchange(closing.link);
    closing.link.close();
    expect(await refused).toBe("refused");
    expect(clock.timerCount()).toBe(0);
  });
});
