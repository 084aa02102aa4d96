import { describe, expect, expectTypeOf, it } from "vitest";
import { mcCodes, packetType } from "./packet-types.ts";
import type {
  BusinessRequestCodeFrom,
  ChannelRequestCode,
  RequestCodeFrom,
  ResponseCodeTo,
} from "./request-codes.ts";

describe("request and response codes, as table 5.2.1 names them", () => {
  it("the types name the table's rows", () => {
    expectTypeOf<RequestCodeFrom<"platform">>().toEqualTypeOf<2001 | 2003 | 2005 | 2015 | 2025 | 2031>();
    expectTypeOf<ChannelRequestCode>().toEqualTypeOf<1000 | 1002 | 1004>();
    expectTypeOf<BusinessRequestCodeFrom<"device">>().toEqualTypeOf<
      2006 | 2008 | 2010 | 2012 | 2016 | 2018 | 2020 | 2022 | 2026 | 2028 | 2032 | 3000 | 3002
    >();
    expectTypeOf<ResponseCodeTo<2003>>().toEqualTypeOf<2002>();
    expectTypeOf<ResponseCodeTo<2006 | 2015>>().toEqualTypeOf<2007 | 2014>();
  });

  it("the table at run time agrees: the platform's requests", () => {
    const platformRequests = mcCodes.filter((code) => {
      const type = packetType(code);
      return type.sender === "platform" && type.role === "request";
    });
    expect(platformRequests).toEqual([2001, 2003, 2005, 2015, 2025, 2031]);
  });
});
