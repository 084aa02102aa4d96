import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CtsEnvelope,
  FRAME_TERMINATOR,
  formatEnvelope,
  formatSealedEnvelope,
  framings,
  parseCtsEnvelope,
  sealedFrameBytes,
} from "./envelope.ts";
import type { PacketTable } from "./packet-table.ts";

/** A table that is not Mc's: the CTS framing knows nothing of any interface beyond what its table says. */
type LanCode = 1 | 2;
const lanTable: PacketTable<LanCode> = {
  description: "a LAN table",
  isCode: (code): code is LanCode => code === 1 || code === 2,
  nameOf: (code) => (code === 1 ? "auth" : "query"),
  carriesDeviceId: () => false,
  carriesToken: (code) => code === 2,
};
const line = (envelope: object) => Buffer.from(`CTS${JSON.stringify(envelope)}`);

describe("the CTS envelope, parameterised by a packet table", () => {
  it("reads the codes of the table it is given", () => {
    const parsed = parseCtsEnvelope(line({ code: 1, data: "QUJD" }), lanTable);
    expect(parsed).toEqual({ ok: true, value: { code: 1, data: "QUJD" } });
  });

  it("refuses a code outside the table, naming the table", () => {
    const parsed = parseCtsEnvelope(line({ code: 1002, data: "" }), lanTable);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe("UNKNOWN_CODE");
    expect(parsed.error.message).toBe("code: 1002 is not a packet type of a LAN table");
  });

  it("asks for the clear fields the table asks for, naming the packet", () => {
    const parsed = parseCtsEnvelope(line({ code: 2, data: "" }), lanTable);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ code: "BAD_ENVELOPE", field: "token" });
    expect(parsed.error.message).toContain("2 (query)");
  });

  it("round-trips in both framings", () => {
    const envelope: CtsEnvelope<LanCode> = { code: 2, token: "t", data: "QUJD" };
    for (const framing of ["cts-json", "cts-base64"] as const) {
      const text = formatEnvelope(envelope, framing);
      expect(parseCtsEnvelope(Buffer.from(text), lanTable, framing)).toEqual({ ok: true, value: envelope });
    }
  });
});

describe("formatEnvelope", () => {
  it("writes the spec's field order (code, deviceId, token, data) whatever the order it is given, absent fields left out", () => {
    const given = { data: "AAAA", token: "t", deviceId: "d", code: 1002 } as CtsEnvelope;
    expect(formatEnvelope(given)).toBe('CTS{"code":1002,"deviceId":"d","token":"t","data":"AAAA"}');
    expect(formatEnvelope({ data: "AAAA", token: "t", code: 1000 })).toBe(
      'CTS{"code":1000,"token":"t","data":"AAAA"}',
    );
    expect(formatEnvelope({ data: "AAAA", code: 1001 }, "cts-base64")).toBe(
      `CTS${Buffer.from('{"code":1001,"data":"AAAA"}').toString("base64")}`,
    );
  });
});

describe("formatSealedEnvelope and sealedFrameBytes", () => {
  it("write what formatEnvelope writes for an envelope whose data is Base64 (sealedFrameBytes as bytes, with CRLF)", () => {
    const clear = fc.option(fc.string({ unit: "binary", minLength: 1, maxLength: 20 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.integer(),
        clear,
        clear,
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(...framings),
        (code, deviceId, token, bytes, framing) => {
          const envelope: CtsEnvelope = { code, data: Buffer.from(bytes).toString("base64") };
          if (token !== undefined) envelope.token = token;
          if (deviceId !== undefined) envelope.deviceId = deviceId;
          expect(formatSealedEnvelope(envelope, framing)).toBe(formatEnvelope(envelope, framing));
          if (framing === "cts-json")
            expect(sealedFrameBytes(envelope)).toEqual(
              Buffer.from(`${formatEnvelope(envelope, framing)}${FRAME_TERMINATOR}`, "utf8"),
            );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
