import { describe, expect, it } from "vitest";
import { parseCRequest, parseCResponse } from "./codec.ts";
import { type CInterfaceId, cInterfaceAt, cInterfaceIds, cInterfaces } from "./interfaces.ts";

/**
 * The tables of 7.3 as known answers. The spec shows no example bodies, so each request and answer below is written
 * from its interface's table: every required field, and the optional ones where the table has them.
 */

const SEQ = "202403150930125831";
const token = "Ab12Cd34Ef56Gh78";
const status = [
  { serialId: "1", name: "switch", value: "1" },
  { serialId: "2", name: "switch", value: "0" },
];
const resource = [{ serialId: "0", resName: "scene", resInfo: [{ key1: "morning", key2: "07:00" }] }];
const resourceChange = [{ serialId: "0", resName: "scene", resInfo: [{ mode: "1", key1: "morning" }] }];

const examples: Record<CInterfaceId, { request: object; response: object }> = {
  C11: {
    request: { platformId: "ctsh-01", platformKey: "k3y-of-ctsh", sequenceNo: SEQ },
    response: { code: 0, desc: "成功", access_token: token, expiredAt: 1710473412000 },
  },
  C12: {
    request: { access_token: token, deviceSN: "SN0001", deviceType: "LAMP-01", sequenceNo: SEQ },
    response: { code: 0 },
  },
  C13: {
    request: { access_token: token, gwId: "GW01", deviceSN: "SN0002", deviceType: "ZB-PIR", sequenceNo: SEQ },
    response: { code: 0, desc: "成功" },
  },
  C14: {
    request: { access_token: token, gwId: "GW01", deviceSN: "SN0002", deviceType: "ZB-PIR", sequenceNo: SEQ },
    response: { code: 0 },
  },
  C15: {
    request: { access_token: token, deviceSN: "SN0001", deviceType: "LAMP-01", sequenceNo: SEQ, online: "1" },
    response: { code: 0 },
  },
  C16: {
    request: {
      access_token: token,
      deviceSN: "SN0001",
      deviceType: "LAMP-01",
      sequenceNo: SEQ,
      status,
      resource,
    },
    response: { code: 0 },
  },
  C17: {
    request: {
      access_token: token,
      deviceSN: "SN0001",
      deviceType: "LAMP-01",
      sequenceNo: SEQ,
      resource: resourceChange,
    },
    response: { code: 0 },
  },
  C18: {
    request: {
      access_token: token,
      deviceSN: "SN0001",
      deviceType: "LAMP-01",
      sequenceNo: SEQ,
      event: [
        { eventId: "1", serialId: "0", eventName: "alarm", eventInfo: [{ key1: "smoke" }] },
        { eventId: "2", serialId: "0", eventName: "alarm", eventInfo: [{ key1: "battery" }] },
      ],
    },
    response: { code: 0 },
  },
  C21: {
    request: { cloudId: "vendor-7", cloudKey: "k3y-of-vendor", sequenceNo: SEQ },
    response: { code: 0, desc: "成功", access_token: token, expiredAt: 1710473412000 },
  },
  C22: {
    request: { access_token: token, deviceSN: "SN0001", bindKey: "0102030405060708", sequenceNo: SEQ },
    response: { code: 0, desc: "成功", deviceSN: "SN0001", deviceType: "GW-01", sequenceNo: SEQ },
  },
  C23: { request: { access_token: token, deviceSN: "SN0001", sequenceNo: SEQ }, response: { code: 0 } },
  C24: {
    request: { access_token: token, gwId: "GW01", deviceSN: "SN0002", sequenceNo: SEQ },
    response: { code: 0, desc: "成功" },
  },
  C25: {
    request: { access_token: token, gwId: "GW01", deviceSN: "SN0002", sequenceNo: SEQ },
    response: { code: 0 },
  },
  C26: {
    request: { access_token: token, deviceSN: "SN0001", deviceType: "LAMP-01", sequenceNo: SEQ },
    response: { code: 0, desc: "成功", online: 1 },
  },
  C27: {
    request: { access_token: token, deviceSN: "SN0001", sequenceNo: SEQ },
    response: { code: 0, desc: "成功", status, resource },
  },
  C28: {
    request: {
      access_token: token,
      deviceSN: "SN0001",
      sequenceNo: SEQ,
      serialId: "1",
      cmds: [{ name: "switch", value: "1" }],
    },
    response: { code: 0, desc: "成功", result: [status[0]] },
  },
  C29: {
    request: { access_token: token, gwId: "GW01", sequenceNo: SEQ },
    response: {
      code: 0,
      desc: "成功",
      gwId: "GW01",
      deviceType: "GW-01",
      online: 1,
      devices: [{ deviceSN: "SN0002", deviceType: "ZB-PIR", online: 0 }],
    },
  },
  C30: {
    request: { access_token: token, gwId: "GW01", sequenceNo: SEQ },
    response: {
      code: 0,
      desc: "成功",
      gwId: "GW01",
      deviceType: "GW-01",
      status: [{ serialId: "0", name: "armed", value: "1" }],
      devices: [
        { deviceSN: "SN0002", deviceType: "ZB-PIR", status: [{ serialId: "0", name: "motion", value: "0" }] },
      ],
    },
  },
  C31: {
    request: { access_token: token, deviceSN: "SN0001", sequenceNo: SEQ, resource: resourceChange },
    response: { code: 0, desc: "成功" },
  },
};

const paths: Record<CInterfaceId, string> = {
  C11: "/notify/token",
  C12: "/notify/device/unbind",
  C13: "/notify/device/sub/bind",
  C14: "/notify/device/sub/unbind",
  C15: "/notify/device/online",
  C16: "/notify/device/status",
  C17: "/notify/device/resource",
  C18: "/notify/device/event",
  C21: "/token",
  C22: "/device/bind",
  C23: "/device/unbind",
  C24: "/device/sub/bind",
  C25: "/device/sub/unbind",
  C26: "/device/online/get",
  C27: "/device/status/get",
  C28: "/device/control",
  C29: "/gateway/subList",
  C30: "/gateway/subDetailList",
  C31: "/device/resManage",
};

describe("the interface table (7.3)", () => {
  it("lists C11-C18 on the smart-home platform and C21-C31 on the third-party platform, all POST", () => {
    expect(cInterfaceIds).toEqual(Object.keys(paths));
    for (const id of cInterfaceIds) {
      const entry = cInterfaces[id];
      expect(entry.id).toBe(id);
      expect(entry.path, id).toBe(paths[id]);
      expect(entry.method).toBe("POST");
      expect(entry.side, id).toBe(id < "C20" ? "smart-home" : "third-party");
      expect(cInterfaceAt(entry.path)).toBe(id);
    }
    expect(cInterfaceAt("/device/nothing")).toBeUndefined();
  });

  it.each(cInterfaceIds)("%s: the example request and answer parse to themselves", (id) => {
    const { request, response } = examples[id];
    expect(parseCRequest(id, request)).toEqual({ ok: true, value: request });
    expect(parseCResponse(id, response)).toEqual({ ok: true, value: response });
  });

  it.each(cInterfaceIds)("%s: a field the spec does not name is kept", (id) => {
    const request = { ...examples[id].request, vendorTrace: { hop: 2 } };
    expect(parseCRequest(id, request)).toEqual({ ok: true, value: request });
  });

  it("7.3.2.11: the gateway's status of C30 is accepted as a list or as one StatusInfo", () => {
    const one = { ...examples.C30.response, status: { serialId: "0", name: "armed", value: "1" } };
    expect(parseCResponse("C30", one).ok).toBe(true);
  });

  it("optional request fields are optional exactly where the tables say", () => {
    const { deviceType: _, ...withoutType } = examples.C12.request as Record<string, unknown>;
    expect(parseCRequest("C12", withoutType)).toMatchObject({ ok: false, error: { field: "deviceType" } });
    const { deviceType: __, ...c23 } = examples.C26.request as Record<string, unknown>;
    expect(parseCRequest("C23", c23).ok).toBe(true);
    const { resource: ___, ...c16 } = examples.C16.request as Record<string, unknown>;
    expect(parseCRequest("C16", c16).ok).toBe(true);
    const { resource: ____, ...c17 } = examples.C17.request as Record<string, unknown>;
    expect(parseCRequest("C17", c17)).toMatchObject({ ok: false, error: { field: "resource" } });
  });

  it("desc is required in an answer exactly where the tables say", () => {
    for (const id of ["C11", "C21", "C22", "C24", "C26", "C27", "C28", "C29", "C30", "C31"] as const) {
      expect(parseCResponse(id, { code: 1003 }), id).toMatchObject({ ok: false, error: { field: "desc" } });
    }
    for (const id of ["C12", "C13", "C14", "C15", "C16", "C17", "C18", "C23", "C25"] as const) {
      expect(parseCResponse(id, { code: 1003 }).ok, id).toBe(true);
    }
  });
});
