import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CipherKey } from "../cts/crypto.ts";
import { framings } from "../cts/envelope.ts";
import { decodeFrameLine, encodeFrame, parseBody } from "./codec.ts";
import {
  envelopeCarriesDeviceId,
  envelopeCarriesToken,
  keyKindFor,
  mcCodes,
  packetType,
} from "./packet-types.ts";
import { bodyArbitraries, pinArbitrary, sessionKeyArbitrary } from "./testing/arbitraries.ts";

describe("round trip body -> frame -> body, for every packet type of table 5.2.1", () => {
  for (const code of mcCodes) {
    it(`${code} ${packetType(code).name}`, () => {
      fc.assert(
        fc.property(
          bodyArbitraries[code],
          pinArbitrary,
          sessionKeyArbitrary,
          fc.constantFrom(...framings),
          (body, pin, sessionKey, framing) => {
            const key =
              keyKindFor(code) === "pin" ? CipherKey.fromPin(pin) : CipherKey.fromSessionKey(sessionKey);
            const message = { code, body } as Parameters<typeof encodeFrame>[0];
            const frame = encodeFrame(message, { key, framing, token: "tok0123456789abc" });
            expect(frame.subarray(-2).toString()).toBe("\r\n");
            expect(frame.subarray(0, -2).includes("\r\n")).toBe(false);
            const decoded = decodeFrameLine(frame.subarray(0, -2), () => key, framing);
            if (!decoded.ok) throw decoded.error;
            expect(decoded.value.message).toEqual(message);
            expect(decoded.value.envelope.token).toBe(
              envelopeCarriesToken(code) ? "tok0123456789abc" : undefined,
            );
            const clearId = envelopeCarriesDeviceId(code)
              ? (body as { deviceId: string }).deviceId
              : undefined;
            expect(decoded.value.envelope.deviceId).toBe(clearId);
          },
        ),
      );
    });
  }
});

describe("body schemas", () => {
  it("name the field and the value that fail", () => {
    const parsed = parseBody(2005, {
      sequence: "1",
      deviceId: "d",
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: 1 }],
      time: 1,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe("BAD_BODY");
    expect(parsed.error.field).toBe("cmd.0.cmdParam");
    expect(parsed.error.message).toContain("2005 ControlRequest body cmd.0.cmdParam");
    expect(parsed.error.message).toContain("got 1");
  });

  it("never print a secret field's value", () => {
    const parsed = parseBody(2012, {
      sequence: "1",
      deviceId: "gw",
      subDeviceId: "s",
      pin: 12345678,
      time: 1,
    });
    expect(!parsed.ok && parsed.error.field).toBe("pin");
    expect(!parsed.ok && parsed.error.message).not.toContain("12345678");
  });

  it("reject a sequence outside 0..65535 and a number where the spec has a decimal string", () => {
    for (const sequence of ["65536", "-1", "1a", "", 12]) {
      const parsed = parseBody(1001, { result: 0, sequence, time: 1 });
      expect(!parsed.ok && parsed.error.field, String(sequence)).toBe("sequence");
    }
  });

  it("keep fields the spec does not name", () => {
    const parsed = parseBody(2004, {
      result: 0,
      sequence: "9",
      dscp: "",
      deviceId: "d",
      time: 1,
      vendorNote: "x",
    });
    expect(parsed.ok && parsed.value.body).toMatchObject({ vendorNote: "x" });
  });

  it("2025 carries device or modules, never both; 2026 type 1 needs moduleName", () => {
    const file = { version: "1.0.0.1", url: "http://h/f", md5: "abc" };
    expect(parseBody(2025, { sequence: "1", deviceId: "d", time: 1 }).ok).toBe(false);
    expect(
      parseBody(2025, {
        sequence: "1",
        deviceId: "d",
        device: file,
        modules: [{ name: "m", ...file }],
        time: 1,
      }).ok,
    ).toBe(false);
    expect(
      parseBody(2026, { sequence: "1", deviceId: "d", type: "1", status: "0", version: "1", time: 1 }).ok,
    ).toBe(false);
  });
});

describe("errors never show a secret", () => {
  it("a cts-base64 envelope that is not Base64 is reported by its length, not excerpted (Base64 hides the token from masking)", () => {
    const envelope = Buffer.from(
      JSON.stringify({ code: 1000, token: "SECRETTOKEN12345", data: "AAAA" }),
    ).toString("base64");
    const decoded = decodeFrameLine(
      Buffer.from(`CTS${envelope.slice(0, -1)}`),
      () => undefined,
      "cts-base64",
    );
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe("BAD_BASE64");
    expect(decoded.error.message).not.toContain(envelope.slice(0, 20));
    expect(decoded.error.message).toMatch(/\d+ characters$/);
  });
});
