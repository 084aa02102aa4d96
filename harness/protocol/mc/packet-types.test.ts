import { describe, expect, it } from "vitest";
import {
  envelopeCarriesToken,
  isMcCode,
  keyKindFor,
  mcCodes,
  packetType,
  packetTypes,
  responseCodeFor,
} from "./packet-types.ts";
import { McResult, mcResultName } from "./result-codes.ts";
import { bodySchemas } from "./schemas/index.ts";

describe("packet table 5.2.1", () => {
  it("has every code 1000-1005, 2000-2033, 3000-3003 and a body schema for each", () => {
    const expected = [
      ...Array.from({ length: 6 }, (_, i) => 1000 + i),
      ...Array.from({ length: 34 }, (_, i) => 2000 + i),
      ...Array.from({ length: 4 }, (_, i) => 3000 + i),
    ];
    expect([...mcCodes].sort()).toEqual(expected);
    expect(Object.keys(bodySchemas).map(Number).sort()).toEqual(expected);
    expect(isMcCode(0)).toBe(false);
    expect(isMcCode(2034)).toBe(false);
  });

  // The pairs as docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)", lists them.
  it("pairs requests with responses as the table in 5.2.1 names them", () => {
    const pairs: Array<[number, number]> = [
      [1000, 1001],
      [1002, 1003],
      [1004, 1005],
      [2003, 2002],
      [2005, 2004],
      [2006, 2007],
      [2008, 2009],
      [2010, 2011],
      [2012, 2013],
      [2015, 2014],
      [2016, 2017],
      [2018, 2019],
      [2020, 2021],
      [2022, 2023],
      [2025, 2024],
      [2026, 2027],
      [2028, 2029],
      [2031, 2030],
      [2032, 2033],
      [2001, 2000],
      [3000, 3001],
      [3002, 3003],
    ];
    expect(pairs).toHaveLength(packetTypes.size / 2);
    for (const [request, response] of pairs) {
      expect(responseCodeFor(request as never), `${request}`).toBe(response);
      expect(packetType(response as never).pair).toBe(request);
      expect(packetType(request as never).sender).not.toBe(packetType(response as never).sender);
    }
  });

  it("puts the token in clear on device frames after login only, and keys login with the PIN", () => {
    expect(mcCodes.filter(envelopeCarriesToken).sort()).toEqual(
      mcCodes.filter((c) => packetType(c).sender === "device" && c !== 1002).sort(),
    );
    expect(envelopeCarriesToken(2004)).toBe(true);
    expect(envelopeCarriesToken(2005)).toBe(false);
    expect(mcCodes.filter((c) => keyKindFor(c) === "pin")).toEqual([1002, 1003]);
  });

  it("refuses to find the response of a response", () => {
    expect(() => responseCodeFor(1001)).toThrow(/not a request/);
  });
});

describe("result codes 5.4.4", () => {
  it("names each code", () => {
    expect(McResult.InvalidParameter).toBe(100001);
    expect(mcResultName(300001)).toBe("DeviceOffline");
    expect(mcResultName(123)).toBe("Result123");
    expect(new Set(Object.values(McResult)).size).toBe(Object.keys(McResult).length);
  });
});
