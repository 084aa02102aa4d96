import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { cResultCodes } from "./result-codes.ts";
import {
  CDate,
  CDateTime,
  CFloat,
  formatDateTime,
  formatSequenceNo,
  parseSequenceNo,
  randomSerial,
  SequenceNo,
} from "./types.ts";

const utc = (...parts: [number, number, number, number?, number?, number?, number?]) => Date.UTC(...parts);
const HOUR = 3_600_000;

describe("parameter types (7.1.3)", () => {
  it("Date is YYYYMMDD, a real calendar day", () => {
    for (const good of ["20240229", "20231231", "20000101", "19700101"])
      expect(CDate.safeParse(good).success).toBe(true);
    for (const bad of [
      "20230229",
      "20241301",
      "20240001",
      "20240431",
      "2024-03-15",
      "2024031",
      "202403150",
      20240315,
    ])
      expect(CDate.safeParse(bad).success, String(bad)).toBe(false);
  });

  it("DateTime is YYYYMMDDHHMMSS, a real instant", () => {
    for (const good of ["20240229235959", "20240101000000"])
      expect(CDateTime.safeParse(good).success).toBe(true);
    for (const bad of [
      "20240229240000",
      "20240229236000",
      "20240229235960",
      "2024-02-29 23:59:59",
      "20240229",
    ])
      expect(CDateTime.safeParse(bad).success, bad).toBe(false);
  });

  it("float is a decimal number written as a string", () => {
    for (const good of ["0", "23.5", "-0.25", "100"]) expect(CFloat.safeParse(good).success).toBe(true);
    for (const bad of [23.5, "", "1e3", "1.", ".5", "NaN", " 1"])
      expect(CFloat.safeParse(bad).success).toBe(false);
  });
});

describe("sequenceNo (7.3: YYYYMMDDHHMMSSxxxx, UTC+8)", () => {
  it("writes the instant in China Standard Time and the counter as 4 digits", () => {
    expect(formatSequenceNo(utc(2024, 2, 15, 1, 30, 12), 5831)).toBe("202403150930125831");
    expect(formatSequenceNo(utc(2024, 2, 15, 1, 30, 12, 999), 7)).toBe("202403150930120007");
    expect(formatSequenceNo(utc(2024, 2, 15, 1, 30, 12), 12_345)).toBe("202403150930122345");
    expect(formatSequenceNo(utc(2024, 2, 15, 1, 30, 12), 0, 0)).toBe("202403150130120000");
  });

  it("crosses the day, month and year boundaries at 16:00 UTC", () => {
    expect(formatDateTime(utc(2024, 1, 28, 15, 59, 59))).toBe("20240228235959");
    expect(formatDateTime(utc(2024, 1, 28, 16, 0, 0))).toBe("20240229000000");
    expect(formatDateTime(utc(2024, 1, 29, 16, 0, 0))).toBe("20240301000000");
    expect(formatDateTime(utc(2023, 1, 28, 16, 0, 0))).toBe("20230301000000");
    expect(formatDateTime(utc(2023, 11, 31, 15, 59, 59))).toBe("20231231235959");
    expect(formatDateTime(utc(2023, 11, 31, 16, 0, 0))).toBe("20240101000000");
    expect(formatDateTime(utc(2024, 3, 30, 16, 0, 0))).toBe("20240501000000");
  });

  it("parses back to the second it was written in, and its serial", () => {
    expect(parseSequenceNo("202403150930125831")).toEqual({
      ok: true,
      value: { dateTime: "20240315093012", epochMs: utc(2024, 2, 15, 1, 30, 12), serial: 5831 },
    });
    expect(parseSequenceNo("202403150930125831", 0)).toMatchObject({
      ok: true,
      value: { epochMs: utc(2024, 2, 15, 9, 30, 12) },
    });
  });

  it("refuses what is not 18 digits or not a real date-time, with 1002 on sequenceNo", () => {
    for (const bad of [
      "20240315093012583",
      "2024031509301258311",
      "20240315093012583a",
      "202402300930125831",
      "202403152430125831",
      "202403150960125831",
      "202413150930125831",
      20240315093012,
      undefined,
    ]) {
      const parsed = parseSequenceNo(bad);
      expect(parsed.ok, String(bad)).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.resultCode).toBe(cResultCodes.badParameters);
        expect(parsed.error.code).toBe("BAD_PARAMETERS");
        expect(parsed.error.field).toBe("sequenceNo");
      }
    }
  });

  it("refuses an instant it cannot write and a counter that is no count", () => {
    expect(() => formatSequenceNo(Date.parse("0000-01-01T00:00:00Z") - 9 * HOUR, 1)).toThrow(UsageError);
    expect(formatSequenceNo(Date.parse("0000-01-01T00:00:00Z") - 8 * HOUR, 1)).toBe("000001010000000001");
    expect(() => formatSequenceNo(Number.NaN, 1)).toThrow(UsageError);
    expect(() => formatSequenceNo(utc(10000, 0, 1), 1)).toThrow(UsageError);
    expect(() => formatSequenceNo(0, -1)).toThrow(UsageError);
    expect(() => formatSequenceNo(0, 1.5)).toThrow(UsageError);
  });

  it("property: format then parse gives the second, the offset and counter mod 10000", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("0000-01-01T08:00:00Z"), max: utc(9999, 11, 31, 15, 59, 59, 999) }),
        fc.nat(),
        fc.constantFrom(480, 0, -300, 330, -480),
        (ms, counter, offset) => {
          const s = formatSequenceNo(ms, counter, offset);
          expect(SequenceNo.safeParse(s).success).toBe(true);
          expect(parseSequenceNo(s, offset)).toEqual({
            ok: true,
            value: {
              dateTime: s.slice(0, 14),
              epochMs: ms - (((ms % 1000) + 1000) % 1000),
              serial: counter % 10_000,
            },
          });
        },
      ),
    );
  });

  it("randomSerial draws 4 digits from the run's Random", () => {
    expect(randomSerial({ int: (min, max) => max - min })).toBe(9999);
  });
});
