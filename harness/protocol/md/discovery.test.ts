import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FLAG_ORDER,
  decodeSearchRequest,
  decodeSearchResponse,
  encodeSearchRequest,
  encodeSearchResponse,
  flagOrders,
  type SearchResponse,
} from "./discovery.ts";
import { mdStructErrorCodes } from "./errors.ts";

const text = (min: number) =>
  fc.string({ minLength: min, maxLength: 40 }).filter((s) => Buffer.byteLength(s, "utf8") <= 255);
const searchRequest = fc.record({
  model: text(0),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  platform: fc.integer({ min: 0, max: 0xffff }),
});
const searchResponse: fc.Arbitrary<SearchResponse> = fc
  .record({
    code: fc.integer({ min: 0, max: 0xffff }),
    deviceId: text(1),
    mac: fc
      .uint8Array({ minLength: 6, maxLength: 6 })
      .map((b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":")),
    model: text(1),
    protocol: fc.integer({ min: 0, max: 255 }),
    lanControl: fc.integer({ min: 0, max: 2 }),
    onConfig: fc.integer({ min: 0, max: 1 }),
    bindKey: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
  })
  .map((r) => (r.onConfig === 0 ? { ...r, bindKey: 0n } : r));

describe("6.2.1 discovery structs", () => {
  it("lays a search out big-endian with a length-prefixed model", () => {
    expect(
      encodeSearchRequest({ model: "CT-AC-01", timestamp: 0x01020304, platform: 0 }).toString("hex"),
    ).toBe(`08${Buffer.from("CT-AC-01").toString("hex")}010203040000`);
    expect(encodeSearchRequest({ model: "", timestamp: 1, platform: 7 }).toString("hex")).toBe(
      "00000000010007",
    );
  });

  it("lays an answer out with mac right after deviceId and the flags in the struct's order", () => {
    const bytes = encodeSearchResponse({
      code: 0,
      deviceId: "D1",
      mac: "02:00:00:00:00:01",
      model: "M",
      protocol: 0,
      lanControl: 1,
      onConfig: 1,
      bindKey: 0x0102030405060708n,
    });
    expect(bytes.toString("hex")).toBe(
      `0000024431020000000001014d00010101020304050607 08`.replaceAll(" ", ""),
    );
    // The field table's order puts lanControl first.
    const table = encodeSearchResponse(
      {
        code: 0,
        deviceId: "D1",
        mac: "02:00:00:00:00:01",
        model: "M",
        protocol: 0,
        lanControl: 1,
        onConfig: 0,
        bindKey: 0n,
      },
      "field-table",
    );
    expect(table.subarray(13, 16).toString("hex")).toBe("010000");
  });

  it("round-trips every search and every answer, in both flag orders", () => {
    fc.assert(
      fc.property(searchRequest, (r) => {
        expect(decodeSearchRequest(encodeSearchRequest(r))).toEqual({ ok: true, value: r });
      }),
    );
    for (const order of flagOrders) {
      fc.assert(
        fc.property(searchResponse, (r) => {
          expect(decodeSearchResponse(encodeSearchResponse(r, order), order)).toEqual({ ok: true, value: r });
        }),
      );
    }
  });

  it("gives TRUNCATED, never a message, for every cut of a valid struct, naming the field", () => {
    fc.assert(
      fc.property(searchResponse, fc.nat(), (r, cut) => {
        const bytes = encodeSearchResponse(r);
        const decoded = decodeSearchResponse(bytes.subarray(0, cut % bytes.length));
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) {
          expect(decoded.error.code).toBe("TRUNCATED");
          expect(decoded.error.field).toBeDefined();
        }
      }),
    );
    const search = decodeSearchRequest(Buffer.from([5, 0x41]));
    expect(search).toMatchObject({ ok: false, error: { code: "TRUNCATED", field: "model" } });
  });

  it("refuses bytes after the last field and inconsistent answers", () => {
    const answer: SearchResponse = {
      code: 0,
      deviceId: "D1",
      mac: "02:00:00:00:00:01",
      model: "M",
      protocol: 0,
      lanControl: 1,
      onConfig: 0,
      bindKey: 0n,
    };
    const bytes = encodeSearchResponse(answer);
    expect(decodeSearchResponse(Buffer.concat([bytes, Buffer.from([0])]))).toMatchObject({
      ok: false,
      error: { code: "TRAILING_BYTES" },
    });
    const withKey = Buffer.from(bytes);
    withKey.writeBigUInt64BE(9n, withKey.length - 8);
    expect(decodeSearchResponse(withKey)).toMatchObject({
      ok: false,
      error: { code: "BAD_FIELD", field: "bindKey" },
    });
    const lanControl = Buffer.from(bytes);
    lanControl[14] = 3;
    expect(decodeSearchResponse(lanControl)).toMatchObject({
      ok: false,
      error: { code: "BAD_FIELD", field: "lanControl" },
    });
    const badText = Buffer.from(bytes);
    badText[3] = 0xff;
    expect(decodeSearchResponse(badText)).toMatchObject({
      ok: false,
      error: { code: "BAD_TEXT", field: "deviceId" },
    });
  });

  it("never throws on random bytes, and every error is a documented struct error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...flagOrders), (bytes, order) => {
        for (const decoded of [decodeSearchResponse(bytes, order), decodeSearchRequest(bytes)]) {
          if (!decoded.ok) expect(mdStructErrorCodes).toContain(decoded.error.code);
        }
      }),
    );
  });

  it("refuses to encode what the struct cannot carry, naming the field", () => {
    expect(() => encodeSearchRequest({ model: "x".repeat(256), timestamp: 0, platform: 0 })).toThrow(
      /model: 1-255 bytes/,
    );
    expect(() =>
      encodeSearchResponse({
        code: 0,
        deviceId: "D",
        mac: "nope",
        model: "M",
        protocol: 0,
        lanControl: 1,
        onConfig: 0,
        bindKey: 0n,
      }),
    ).toThrow(/mac/);
    expect(DEFAULT_FLAG_ORDER).toBe("struct");
  });
});
