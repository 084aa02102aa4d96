import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CipherKey } from "../cts/crypto.ts";
import { decodeFrameLine, encodeFrame } from "./codec.ts";

/**
 * Known-answer vectors from the spec's sample values (5.4.2.1, 5.4.2.3). The expected ciphertexts were produced
 * by the OpenSSL command line, independently of this code:
 *   printf '%s' "$BODY" | openssl enc -aes-128-cbc -K <hex of PIN[0..16]> -iv <hex of PIN[16..32]> | base64 -w0
 */
const PIN = "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6";
const SESSION_KEY = "abcdef0123456789";
const LOGIN_BODY =
  '{"sequence":"12345","deviceId":"0000111122223333aaaabbbb","version":"XXX.YYY.ZZZ.MMM","time":1361542433}';
const LOGIN_DATA_OPENSSL =
  "1jAOmipqW0GHB/rsvfeTtPYLYWPf9HlIFt27alBgVSTvnrMw5VPNwTr6kg6yVcDoG/ZOHZE0zlLMRuUsKfvf9gGEVQq7PqaubJNsdHvM/HgrUftrCljgbVemVJMUADT6dbSTzneXih99QIEU+EsHUQ==";
const HEARTBEAT_BODY = '{"sequence":"12346","token":"qwertyuiop123456","time":1361542433}';
const HEARTBEAT_DATA_OPENSSL =
  "3fXHCvEJ4dPtAiJRusCWdUTWcX4f+p7AnqzWz6RId7O1ctriQ37r8G60Fbx+IPNNv2008W8+ZsW/l6jyqaNkGBHZf7QfVrH3B2LmTGepx4w=";

/** The spec's recipe, written out with Node's crypto directly: key = PIN[0..16], IV = PIN[16..32]. */
function specLoginFrame(): Buffer {
  const cipher = createCipheriv("aes-128-cbc", Buffer.from(PIN.slice(0, 16)), Buffer.from(PIN.slice(16, 32)));
  const data = Buffer.concat([cipher.update(LOGIN_BODY, "utf8"), cipher.final()]).toString("base64");
  return Buffer.from(`CTS{"code":1002,"deviceId":"0000111122223333aaaabbbb","data":"${data}"}\r\n`);
}

describe("known-answer vectors (5.2.2 item 2)", () => {
  it("Node's AES of the 1002 sample equals OpenSSL's", () => {
    expect(specLoginFrame().toString()).toContain(LOGIN_DATA_OPENSSL);
  });

  it("a 1002 frame built from the spec's recipe decodes to the sample body", () => {
    const frame = specLoginFrame();
    const decoded = decodeFrameLine(frame.subarray(0, -2), () => CipherKey.fromPin(PIN));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.envelope).toEqual({
      code: 1002,
      deviceId: "0000111122223333aaaabbbb",
      data: LOGIN_DATA_OPENSSL,
    });
    expect(decoded.value.message).toEqual({ code: 1002, body: JSON.parse(LOGIN_BODY) });
  });

  it("our encoder produces the byte-identical 1002 frame", () => {
    const frame = encodeFrame({ code: 1002, body: JSON.parse(LOGIN_BODY) }, { key: CipherKey.fromPin(PIN) });
    expect(frame.equals(specLoginFrame())).toBe(true);
  });

  it("a heartbeat with the session key (key = IV = sessionKey) matches OpenSSL both ways", () => {
    const expected = Buffer.from(
      `CTS{"code":1000,"token":"qwertyuiop123456","data":"${HEARTBEAT_DATA_OPENSSL}"}\r\n`,
    );
    const key = CipherKey.fromSessionKey(SESSION_KEY);
    const frame = encodeFrame(
      { code: 1000, body: JSON.parse(HEARTBEAT_BODY) },
      { key, token: "qwertyuiop123456" },
    );
    expect(frame.equals(expected)).toBe(true);
    const decoded = decodeFrameLine(expected.subarray(0, -2), () => key);
    expect(decoded.ok && decoded.value.message.body).toEqual(JSON.parse(HEARTBEAT_BODY));
  });

  it("cts-base64 framing wraps the same envelope in Base64", () => {
    const key = CipherKey.fromPin(PIN);
    const frame = encodeFrame({ code: 1002, body: JSON.parse(LOGIN_BODY) }, { key, framing: "cts-base64" });
    const envelopeJson = specLoginFrame().subarray(3, -2).toString();
    expect(frame.toString()).toBe(`CTS${Buffer.from(envelopeJson).toString("base64")}\r\n`);
    const decoded = decodeFrameLine(frame.subarray(0, -2), () => key, "cts-base64");
    expect(decoded.ok && decoded.value.message.body).toEqual(JSON.parse(LOGIN_BODY));
  });
});
