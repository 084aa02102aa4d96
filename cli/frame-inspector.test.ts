import { describe, expect, it } from "vitest";
import { CipherKey } from "../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../harness/protocol/mc/codec.ts";
import { FrameInspector } from "./frame-inspector.ts";

const PIN = "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6";
const line = (frame: Buffer) => frame.subarray(0, -2).toString();

const loginResponse = (sessionKey: string) =>
  line(
    encodeFrame(
      {
        code: 1003,
        body: {
          result: 0,
          sequence: "1",
          sessionKey,
          tcpHost: "127.0.0.1:1",
          udpHost: "127.0.0.1:2",
          token: "qwertyuiop123456",
          time: 1,
        },
      },
      { key: CipherKey.fromPin(PIN) },
    ),
  );
const heartbeatAck = (sessionKey: string) =>
  line(
    encodeFrame(
      { code: 1001, body: { result: 0, sequence: "2", time: 1 } },
      { key: CipherKey.fromSessionKey(sessionKey) },
    ),
  );

describe("FrameInspector", () => {
  it("learns the session key from each 1003, so one PIN decodes a capture with two logins", () => {
    const inspector = new FrameInspector({ pin: PIN });
    const first = inspector.inspect(heartbeatAck("aaaaaaaaaaaaaaaa"), 1);
    expect(first.ok === false && first.message).toMatch(/^line 1: NO_KEY: .*1003 login response/);
    expect(inspector.inspect(loginResponse("aaaaaaaaaaaaaaaa"), 2).ok).toBe(true);
    expect(inspector.inspect(heartbeatAck("aaaaaaaaaaaaaaaa"), 3).ok).toBe(true);
    expect(inspector.inspect(loginResponse("bbbbbbbbbbbbbbbb"), 4).ok).toBe(true);
    expect(inspector.inspect(heartbeatAck("bbbbbbbbbbbbbbbb"), 5).ok).toBe(true);
  });

  it("with --redact, prints no secret in clear", () => {
    const outcome = new FrameInspector({ pin: PIN, redact: true }).inspect(
      loginResponse("aaaaaaaaaaaaaaaa"),
      1,
    );
    expect(outcome.ok).toBe(true);
    const json = outcome.ok === true ? outcome.json : "";
    expect(json).not.toContain("aaaaaaaaaaaaaaaa");
    expect(json).not.toContain("qwertyuiop123456");
    expect(JSON.parse(json).body.tcpHost).toBe("127.0.0.1:1");
  });

  it("skips blank lines and comments, and refuses an over-long line by its length", () => {
    const inspector = new FrameInspector({ pin: PIN, maxFrameLength: 64 });
    expect(inspector.inspect("", 1)).toEqual({ ok: "skip" });
    expect(inspector.inspect("# note", 2)).toEqual({ ok: "skip" });
    const long = inspector.inspect(loginResponse("aaaaaaaaaaaaaaaa"), 3);
    expect(long.ok === false && long.message).toMatch(/^line 3: FRAME_TOO_LONG: \d+ bytes, limit 64/);
  });
});
