import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failureEnvelope, LOCK_API_HTTP_STATUS, parseEnvelope, successEnvelope } from "./envelope.ts";
import { badParameter, LockApiError, lockApiErrorNames, lockApiErrors, missingParameter } from "./errors.ts";

const T = 1_592_899_848_757;

describe("the response envelope (seed, every API's response parameters)", () => {
  it("success carries success, result and t; failure success, code, msg and t; both go with HTTP 200", () => {
    expect(successEnvelope({ expire_time: 360, ticket_id: "9wxxoLM" }, T)).toEqual({
      success: true,
      result: { expire_time: 360, ticket_id: "9wxxoLM" },
      t: T,
    });
    expect(failureEnvelope(new LockApiError("systemError"), T)).toEqual({
      success: false,
      code: 500,
      msg: "system error, please contact the admin",
      t: T,
    });
    expect(LOCK_API_HTTP_STATUS).toBe(200);
  });

  it("parses the seed's sample answers, and refuses what is no envelope, naming the field", () => {
    const sample =
      '{"result":{"expire_time":360,"ticket_id":"9wxxoLM","ticket_key":"901C"},"success":true,"t":1592899848757}';
    expect(parseEnvelope(sample)).toEqual({
      ok: true,
      value: { success: true, result: { expire_time: 360, ticket_id: "9wxxoLM", ticket_key: "901C" }, t: T },
    });
    expect(parseEnvelope('{"success":false,"code":1010,"msg":"token is expired","t":1,"tid":"x"}')).toEqual({
      ok: true,
      value: { success: false, code: 1010, msg: "token is expired", t: 1 },
    });
    expect(parseEnvelope("<html>")).toMatchObject({ ok: false, error: { code: "LOCK_API_ENVELOPE" } });
    expect(parseEnvelope('{"success":false,"msg":"x","t":1}')).toMatchObject({ ok: false });
    expect(parseEnvelope('{"success":"yes","t":1}')).toMatchObject({ ok: false });
  });

  it("property: every envelope survives JSON and parseEnvelope; any text gives a result, never a throw", () => {
    const names = fc.constantFrom(...lockApiErrorNames);
    fc.assert(
      fc.property(fc.jsonValue(), names, fc.nat(), (result, name, t) => {
        const success = successEnvelope(result, t);
        expect(parseEnvelope(JSON.stringify(success))).toEqual({
          ok: true,
          value: JSON.parse(JSON.stringify(success)),
        });
        const failure = failureEnvelope(new LockApiError(name, "detail"), t);
        expect(parseEnvelope(JSON.stringify(failure))).toEqual({ ok: true, value: failure });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(() => parseEnvelope(text)).not.toThrow();
      }),
    );
  });
});

describe("the error table", () => {
  it("has the vendor's global codes for signing and tokens", () => {
    expect(lockApiErrors.signInvalid).toEqual({ code: 1004, msg: "sign invalid" });
    expect(lockApiErrors.tokenExpired.code).toBe(1010);
    expect(lockApiErrors.tokenInvalid.code).toBe(1011);
    expect(lockApiErrors.requestTimeInvalid.code).toBe(1013);
    expect(lockApiErrors.deviceNotExist.code).toBe(2010);
    expect(lockApiErrors.permissionDenied.code).toBe(1106);
  });

  it("gives every entry a code and a non-empty msg; a code shared by two names only among the parameter codes", () => {
    const byCode = new Map<number, string[]>();
    for (const name of lockApiErrorNames) {
      const { code, msg } = lockApiErrors[name];
      expect(Number.isInteger(code) && msg.length > 0).toBe(true);
      byCode.set(code, [...(byCode.get(code) ?? []), name]);
    }
    const shared = [...byCode].filter(([, names]) => names.length > 1).map(([code]) => code);
    expect(shared.sort()).toEqual([1101, 1109]);
  });

  it("names the field and the value in msg, and hides secrets", () => {
    const e = badParameter("effective_time", "a 10-digit timestamp in seconds", 1_700_000_000_000);
    expect(e).toMatchObject({
      code: "paramIllegal",
      apiCode: 1109,
      field: "effective_time",
      value: "1700000000000",
    });
    expect(e.message).toBe(
      "param is illegal, please check it: effective_time: expected a 10-digit timestamp in seconds (got 1700000000000)",
    );
    expect(badParameter("password", "hex", "ABCD").message).not.toContain("ABCD");
    expect(badParameter("refresh_token", "hex", "secret-ish").message).not.toContain("secret-ish");
    expect(missingParameter("name")).toMatchObject({
      apiCode: 1100,
      field: "name",
      message: "param is empty: name is required",
    });
  });
});
