import { beforeAll, describe, expect, it } from "vitest";
import { VIRTUAL_EPOCH } from "../../harness/clock/virtual-clock.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { loadProfiles } from "../profiles/load.ts";
import type { Profile } from "../profiles/schema.ts";
import { makeDevices } from "./devices.ts";
import * as machine from "./machine.ts";
import { NO_MISBEHAVIOUR, type ThirdPartyMisbehaviour, withMisbehaviour } from "./misbehaviour.ts";

const CLOUD = { cloudId: "hilfarm-cloud", cloudKey: "cl0ud-k3y" };
const SEQ = "202601011200000001";
const LOCK = "TP-smart-lock-0001";
const SWITCH3 = "TP-three-gang-switch-0001";
const GW = "TP-zigbee-gateway-0001";
const SUB = "TP-zigbee-switch-0001";
const SUB2 = "TP-zigbee-switch-0002";

let profiles: Map<string, Profile>;
beforeAll(async () => {
  profiles = await loadProfiles();
});

/** A machine with a lock, a 3-gang switch and a gateway with two switches, a C21 token taken at `VIRTUAL_EPOCH`. */
function rig(misbehaviour: Partial<ThirdPartyMisbehaviour> = {}) {
  const devices = makeDevices(profiles, {
    devices: [
      { profile: "smart-lock", count: 1 },
      { profile: "three-gang-switch", count: 1 },
    ],
    gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 2 }] }],
  });
  let state = machine.initialState(devices, CLOUD, 60_000);
  let now = VIRTUAL_EPOCH;
  let mis = withMisbehaviour(NO_MISBEHAVIOUR, misbehaviour);
  const tokenSource = seededRandom(7);
  const send = (id: Parameters<typeof machine.answerRequest>[1], body: unknown) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const answered = machine.answerRequest(state, id, text, { now, tokenSource, misbehaviour: mis });
    state = answered.state;
    return answered;
  };
  const token = () => String(send("C21", { ...CLOUD, sequenceNo: SEQ }).answer.access_token);
  let access_token = "";
  const call = (id: Parameters<typeof machine.answerRequest>[1], body: Record<string, unknown>) =>
    send(id, { access_token, sequenceNo: SEQ, ...body });
  const r = {
    send,
    call,
    token,
    get state() {
      return state;
    },
    step: (s: machine.Step) => {
      state = s.state;
      return s.notifications;
    },
    advance: (ms: number) => {
      now += ms;
    },
    misbehave: (m: Partial<ThirdPartyMisbehaviour>) => {
      mis = withMisbehaviour(mis, m);
    },
  };
  access_token = token();
  return r;
}

const ids = (a: { notifications: Array<{ id: string }> }) => a.notifications.map((n) => n.id);

describe("the emulated third party's devices (profiles)", () => {
  it("numbers SNs per profile and puts sub-devices behind their gateway", () => {
    const devices = makeDevices(profiles, {
      devices: [{ profile: "air-conditioner", count: 2 }],
      gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-lock", count: 1 }] }],
    });
    expect(devices.map((d) => [d.deviceSN, d.deviceType, d.gwId])).toEqual([
      ["TP-air-conditioner-0001", "CT-AC-01", undefined],
      ["TP-air-conditioner-0002", "CT-AC-01", undefined],
      ["TP-zigbee-gateway-0001", "CT-GW-01", undefined],
      ["TP-zigbee-lock-0001", "ZB-LOCK-01", "TP-zigbee-gateway-0001"],
    ]);
    expect(devices.every((d) => d.online && !d.bound)).toBe(true);
  });

  it("refuses an unknown profile, and a sub-device listed without a gateway, naming the field", () => {
    expect(() => makeDevices(profiles, { devices: [{ profile: "toaster", count: 1 }] })).toThrow(
      expect.objectContaining({ field: "devices.0.profile" }),
    );
    expect(() => makeDevices(profiles, { devices: [{ profile: "zigbee-switch", count: 1 }] })).toThrow(
      /sub-device/,
    );
  });
});

describe("the third party's state machine (7.3.2)", () => {
  it("C21: a token for the configured pair; another key is 1002 on cloudKey", () => {
    const r = rig();
    const answer = r.send("C21", { ...CLOUD, sequenceNo: SEQ }).answer;
    expect(answer).toMatchObject({ code: 0, expiredAt: VIRTUAL_EPOCH + 60_000 });
    expect(answer.access_token).toMatch(/^[A-Za-z0-9]{16}$/);
    const wrong = r.send("C21", { ...CLOUD, cloudKey: "nope", sequenceNo: SEQ }).answer;
    expect(wrong).toMatchObject({ code: 1002 });
    expect(String(wrong.desc)).toMatch(/^cloudKey:/);
    expect(String(wrong.desc)).not.toContain("nope");
  });

  it("1001 for a missing, unknown or expired token; 1002 naming the field; 1003 for an unknown device", () => {
    const r = rig();
    expect(r.send("C26", { sequenceNo: SEQ, deviceSN: LOCK }).answer.code).toBe(1001);
    expect(r.send("C26", { access_token: "x".repeat(16), sequenceNo: SEQ, deviceSN: LOCK }).answer.code).toBe(
      1001,
    );
    const bad = r.call("C28", { deviceSN: LOCK, serialId: "0", cmds: [] }).answer;
    expect(bad).toMatchObject({ code: 1002 });
    expect(String(bad.desc)).toMatch(/^cmds:/);
    expect(r.call("C26", { deviceSN: "TP-nothing-0001" }).answer.code).toBe(1003);
    expect(r.send("C26", "{not json").answer.code).toBe(1002);
    r.advance(60_000);
    expect(r.call("C26", { deviceSN: LOCK }).answer.code).toBe(1001);
  });

  it("a device is not the platform's before C22: 1003 and no report; C22 answers its type and reports C15, C16 with resources", () => {
    const r = rig();
    expect(r.call("C27", { deviceSN: LOCK }).answer.code).toBe(1003);
    expect(r.step(machine.setStatus(r.state, LOCK, "0", "BATTERY", "70"))).toEqual([]);
    const bound = r.call("C22", { deviceSN: LOCK });
    expect(bound.answer).toMatchObject({ code: 0, deviceSN: LOCK, deviceType: "LOCK-01", sequenceNo: SEQ });
    expect(ids(bound)).toEqual(["C15", "C16"]);
    expect(bound.notifications[0]?.fields).toEqual({ deviceSN: LOCK, deviceType: "LOCK-01", online: "1" });
    expect(bound.notifications[1]?.fields).toMatchObject({
      status: [
        { serialId: "0", name: "LOCK", value: "1" },
        { serialId: "0", name: "BATTERY", value: "70" },
      ],
      resource: [{ serialId: "0", resName: "KEY_LIST" }],
    });
    expect(ids(r.call("C22", { deviceSN: LOCK }))).toEqual([]);
    expect(r.call("C22", { deviceSN: LOCK, deviceType: "CT-AC-01" }).answer.code).toBe(1002);
    expect(r.call("C22", { deviceSN: SUB }).answer.code).toBe(1002);
  });

  it("C28 applies the profile's commands, answers result and reports C16 (and C18 for a command's event)", () => {
    const r = rig();
    r.call("C22", { deviceSN: LOCK });
    r.call("C22", { deviceSN: SWITCH3 });
    const all = r.call("C28", {
      deviceSN: SWITCH3,
      serialId: "0",
      cmds: [{ name: "SET_POWER", value: "1" }],
    });
    expect(all.answer.result).toEqual(
      ["1", "2", "3"].map((serialId) => ({ serialId, name: "POWER", value: "1" })),
    );
    expect(ids(all)).toEqual(["C16"]);
    const unlock = r.call("C28", { deviceSN: LOCK, serialId: "0", cmds: [{ name: "UNLOCK", value: "0" }] });
    expect(unlock.answer.result).toContainEqual({ serialId: "0", name: "LOCK", value: "0" });
    expect(ids(unlock)).toEqual(["C16", "C18"]);
    expect(unlock.notifications[1]?.fields).toMatchObject({ event: [{ eventName: "LOCK_OPEN" }] });
    const unknown = r.call("C28", {
      deviceSN: LOCK,
      serialId: "0",
      cmds: [{ name: "FLY", value: "1" }],
    }).answer;
    expect(unknown.code).toBe(1002);
    expect(String(unknown.desc)).toMatch(/^cmds\.0\.name:/);
    const range = r.call("C28", {
      deviceSN: SWITCH3,
      serialId: "2",
      cmds: [{ name: "SET_POWER", value: "7" }],
    });
    expect(String(range.answer.desc)).toMatch(/^cmds\.0\.value:/);
    expect(
      r.call("C28", { deviceSN: SWITCH3, serialId: "9", cmds: [{ name: "SET_POWER", value: "1" }] }).answer
        .code,
    ).toBe(1002);
    r.step(machine.setOnline(r.state, LOCK, false));
    expect(
      r.call("C28", { deviceSN: LOCK, serialId: "0", cmds: [{ name: "LOCK", value: "1" }] }).answer.code,
    ).toBe(9999);
  });

  it("C31 manages the profile's resources and reports C17; C27 shows them", () => {
    const r = rig();
    r.call("C22", { deviceSN: LOCK });
    const key = { mode: "1", KEY_ID: "2", KEY_TYPE: "2", KEY_NAME: "guest code" };
    const managed = r.call("C31", {
      deviceSN: LOCK,
      resource: [{ serialId: "0", resName: "KEY_LIST", resInfo: [key] }],
    });
    expect(managed.answer.code).toBe(0);
    expect(ids(managed)).toEqual(["C17"]);
    const status = r.call("C27", { deviceSN: LOCK }).answer;
    expect(status.resource).toEqual([
      {
        serialId: "0",
        resName: "KEY_LIST",
        resInfo: [
          expect.objectContaining({ KEY_ID: "1" }),
          { KEY_ID: "2", KEY_TYPE: "2", KEY_NAME: "guest code" },
        ],
      },
    ]);
    const other = r.call("C31", {
      deviceSN: LOCK,
      resource: [{ serialId: "0", resName: "SCENES", resInfo: [key] }],
    });
    expect(String(other.answer.desc)).toMatch(/^resource\.0\.resName:/);
  });

  it("sub-devices: C24 needs its bound gateway, reports C13, C15, C16; C29/C30 list them; C25 reports C14; C23 of the gateway C14 then C12", () => {
    const r = rig();
    expect(r.call("C24", { gwId: GW, deviceSN: SUB }).answer.code).toBe(1003);
    r.call("C22", { deviceSN: GW });
    const sub = r.call("C24", { gwId: GW, deviceSN: SUB });
    expect(sub.answer.code).toBe(0);
    expect(ids(sub)).toEqual(["C13", "C15", "C16"]);
    expect(sub.notifications[0]?.fields).toEqual({ deviceSN: SUB, gwId: GW, deviceType: "ZB-SW1-01" });
    expect(r.call("C24", { gwId: GW, deviceSN: LOCK }).answer.code).toBe(1003);
    const list = r.call("C29", { gwId: GW }).answer;
    expect(list).toMatchObject({ code: 0, gwId: GW, deviceType: "CT-GW-01", online: 1 });
    expect(list.devices).toEqual([
      { deviceSN: SUB, deviceType: "ZB-SW1-01", online: 1 },
      { deviceSN: SUB2, deviceType: "ZB-SW1-01", online: 1 },
    ]);
    const detail = r.call("C30", { gwId: GW }).answer;
    expect(detail).toMatchObject({ code: 0, status: [{ serialId: "0", name: "PERMIT_JOIN", value: "0" }] });
    expect(detail.devices).toContainEqual({
      deviceSN: SUB,
      deviceType: "ZB-SW1-01",
      status: [{ serialId: "0", name: "POWER", value: "0" }],
    });
    r.call("C24", { gwId: GW, deviceSN: SUB2 });
    expect(ids(r.call("C25", { gwId: GW, deviceSN: SUB2 }))).toEqual(["C14"]);
    expect(r.call("C26", { deviceSN: SUB2 }).answer.code).toBe(1003);
    const gone = r.call("C23", { deviceSN: GW });
    expect(gone.notifications.map((n) => [n.id, n.deviceSN])).toEqual([
      ["C14", SUB],
      ["C12", GW],
    ]);
    expect(r.call("C29", { gwId: GW }).answer.code).toBe(1003);
    expect(r.step(machine.setStatus(r.state, SUB, "0", "POWER", "1"))).toEqual([]);
  });

  it("device changes while bound: C15 offline, C15 then C16 on reconnecting, C16 for a status, C18 for an event", () => {
    const r = rig();
    r.call("C22", { deviceSN: LOCK });
    expect(r.step(machine.setOnline(r.state, LOCK, false)).map((n) => [n.id, n.fields.online])).toEqual([
      ["C15", "0"],
    ]);
    expect(r.call("C26", { deviceSN: LOCK }).answer.online).toBe(0);
    expect(r.step(machine.setStatus(r.state, LOCK, "0", "BATTERY", "15"))).toEqual([]);
    const back = r.step(machine.setOnline(r.state, LOCK, true));
    expect(back.map((n) => n.id)).toEqual(["C15", "C16"]);
    expect(back[1]?.fields.status).toContainEqual({ serialId: "0", name: "BATTERY", value: "15" });
    expect(r.step(machine.setStatus(r.state, LOCK, "0", "BATTERY", "14"))[0]?.fields.status).toEqual([
      { serialId: "0", name: "BATTERY", value: "14" },
    ]);
    const event = r.step(machine.emitEvent(r.state, LOCK, { eventName: "DOORBELL" }));
    expect(event[0]).toMatchObject({
      id: "C18",
      fields: { event: [{ serialId: "0", eventName: "DOORBELL", eventInfo: [] }] },
    });
    expect(() => machine.setStatus(r.state, LOCK, "0", "NOPE", "1")).toThrow(
      expect.objectContaining({ field: "status" }),
    );
    expect(() => machine.setOnline(r.state, "TP-x", true)).toThrow(
      expect.objectContaining({ field: "deviceSN" }),
    );
  });

  it("wrongCodes: an unknown device is 0 with empty results, a bad token 9999; 1002 stays", () => {
    const r = rig({ wrongCodes: true });
    expect(r.call("C26", { deviceSN: "TP-nothing-0001" }).answer).toMatchObject({ code: 0, online: 0 });
    expect(r.call("C29", { gwId: "TP-nothing-0001" }).answer).toMatchObject({ code: 0, devices: [] });
    expect(r.send("C26", { sequenceNo: SEQ, deviceSN: LOCK }).answer.code).toBe(9999);
    expect(r.call("C26", { deviceSN: "" }).answer.code).toBe(1002);
  });

  it("tokenLifetimeMs: tokens expire early, and the configured lifetime comes back when it is off", () => {
    const r = rig({ tokenLifetimeMs: 5 });
    expect(r.send("C21", { ...CLOUD, sequenceNo: SEQ }).answer.expiredAt).toBe(VIRTUAL_EPOCH + 5);
    r.misbehave({ tokenLifetimeMs: 0 });
    expect(r.send("C21", { ...CLOUD, sequenceNo: SEQ }).answer.expiredAt).toBe(VIRTUAL_EPOCH + 60_000);
  });

  it("bindAll binds devices, gateways and sub-devices with their reports", () => {
    const r = rig();
    const notes = r.step(machine.bindAll(r.state));
    expect(notes.filter((n) => n.id === "C13").map((n) => n.deviceSN)).toEqual([SUB, SUB2]);
    expect([...r.state.devices.values()].every((d) => d.bound)).toBe(true);
  });

  it("misbehaviour switches are checked, naming the switch", () => {
    expect(() => withMisbehaviour(NO_MISBEHAVIOUR, { slowAnswersMs: -1 })).toThrow(
      expect.objectContaining({ field: "slowAnswersMs" }),
    );
    expect(() => withMisbehaviour(NO_MISBEHAVIOUR, { late: true } as never)).toThrow(/no switch "late"/);
  });
});
