import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { cResponse, parseCRequest, parseCRequestText, parseCResponse } from "./codec.ts";
import type { CInterfaceId } from "./interfaces.ts";

const SEQ = "202403150930125831";
const control = {
  access_token: "Ab12Cd34Ef56Gh78",
  deviceSN: "SN0001",
  sequenceNo: SEQ,
  serialId: "1",
  cmds: [{ name: "switch", value: "1" }],
};

function refusal(id: CInterfaceId, body: unknown) {
  const parsed = parseCRequest(id, body);
  if (parsed.ok) throw new Error(`${id} accepted ${JSON.stringify(body)}`);
  expect(parsed.error.resultCode).toBe(1002);
  expect(parsed.error.code).toBe("BAD_PARAMETERS");
  return parsed.error;
}

describe("parseCRequest: a bad request is 1002 naming the field and the value (7.3.1.9)", () => {
  it("a missing required field", () => {
    const { deviceSN: _, ...body } = control;
    const error = refusal("C28", body);
    expect(error.field).toBe("deviceSN");
    expect(error.value).toBeUndefined();
    expect(error.message).toBe("deviceSN: required (missing)");
  });

  it("a field of the wrong type", () => {
    const error = refusal("C28", { ...control, serialId: 1 });
    expect(error.field).toBe("serialId");
    expect(error.value).toBe("1");
    expect(error.message).toContain("(got 1)");
  });

  it("a nested field, by its dotted path", () => {
    const error = refusal("C28", { ...control, cmds: [{ name: "switch", value: 1 }] });
    expect(error.field).toBe("cmds.0.value");
    const change = refusal("C17", {
      access_token: "t",
      deviceSN: "SN",
      deviceType: "T",
      sequenceNo: SEQ,
      resource: [{ serialId: "0", resName: "scene", resInfo: [{ mode: "4" }] }],
    });
    expect(change.field).toBe("resource.0.resInfo.0.mode");
    expect(change.value).toBe('"4"');
  });

  it("a bad sequenceNo and a bad DateTime in it", () => {
    expect(refusal("C28", { ...control, sequenceNo: "2024" }).field).toBe("sequenceNo");
    const error = refusal("C28", { ...control, sequenceNo: "202402300930125831" });
    expect(error.field).toBe("sequenceNo");
    expect(error.value).toBe('"202402300930125831"');
  });

  it("a flag out of its range, an empty required string, an empty cmds", () => {
    const online = { access_token: "t", deviceSN: "SN", deviceType: "T", sequenceNo: SEQ, online: 1 };
    expect(refusal("C15", online).field).toBe("online");
    expect(refusal("C15", { ...online, online: "2" }).field).toBe("online");
    expect(refusal("C28", { ...control, deviceSN: "" }).field).toBe("deviceSN");
    expect(refusal("C28", { ...control, cmds: [] }).field).toBe("cmds");
  });

  it("never shows a secret", () => {
    const error = refusal("C11", { platformId: "p", platformKey: 42, sequenceNo: SEQ });
    expect(error.field).toBe("platformKey");
    expect(error.value).toBe("[redacted]");
    expect(error.message).not.toContain("42");
    expect(refusal("C28", { ...control, access_token: 1234567 }).message).not.toContain("1234567");
  });

  it("a body that is no object, and text that is no JSON", () => {
    for (const body of [null, [], "x", 3]) expect(refusal("C12", body).field).toBe("body");
    for (const text of ["", "{", "[[[[", '{"__proto__":{}}', "x".repeat(10)]) {
      const parsed = parseCRequestText("C12", text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatchObject({ resultCode: 1002, field: "body" });
    }
    expect(parseCRequestText("C28", Buffer.from(JSON.stringify(control)))).toEqual({
      ok: true,
      value: control,
    });
  });

  it("an id that is no interface", () => {
    expect(parseCRequest("C99" as CInterfaceId, control)).toMatchObject({
      ok: false,
      error: { field: "path" },
    });
  });
});

describe("cResponse", () => {
  it("builds a success with the default desc, and a failure with code and desc only", () => {
    expect(cResponse("C26", 0, { online: 1 })).toEqual({ code: 0, desc: "成功", online: 1 });
    expect(cResponse("C21", 0, { access_token: "tok", expiredAt: 7_200_000 })).toEqual({
      code: 0,
      desc: "成功",
      access_token: "tok",
      expiredAt: 7_200_000,
    });
    expect(cResponse("C26", 1003)).toEqual({ code: 1003, desc: "设备不存在" });
    expect(cResponse("C28", 1001, { desc: "token expired" })).toEqual({ code: 1001, desc: "token expired" });
    expect(cResponse("C12", 4242)).toEqual({ code: 4242, desc: "失败" });
  });

  it("throws UsageError naming the field when the answer breaks the schema", () => {
    const missing = () => cResponse("C26", 0, {} as never);
    expect(missing).toThrow(UsageError);
    expect(missing).toThrow(/online/);
    try {
      cResponse("C29", 0, { gwId: "GW", deviceType: "T", online: 1, devices: [{ deviceSN: "S" }] } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).field).toBe("devices.0.deviceType");
    }
  });

  it("parseCResponse tells success from failure by code", () => {
    expect(parseCResponse("C26", { code: 0, desc: "" })).toMatchObject({
      ok: false,
      error: { field: "online" },
    });
    expect(parseCResponse("C26", { code: 1002, desc: "bad" }).ok).toBe(true);
    expect(parseCResponse("C26", { code: "0", desc: "" })).toMatchObject({
      ok: false,
      error: { field: "code" },
    });
    expect(parseCResponse("C26", { desc: "" })).toMatchObject({ ok: false, error: { field: "code" } });
  });
});
