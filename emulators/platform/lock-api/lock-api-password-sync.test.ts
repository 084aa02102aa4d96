import { describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { ISSUE_PASSWORD_INTERVAL_MS } from "./password-sync-handlers.ts";
import { lockWorldPerTest } from "./testing/lock-world.ts";

/** Synchronize (issue-password), clear (rest-password) and the keepalive locks' stand-by list, through the SDK. */

const CLIENT = { clientId: "hilfarmlockclient003", secret: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld(CLIENT);
  const { w, call, sealed } = world;
  const nowS = () => Math.floor(w.clock.now() / 1000);
  const create = async (deviceId: string, digits: string, extra: Record<string, unknown> = {}) => {
    const created = await call<{ id: number }>({
      method: "POST",
      path: `/v1.0/devices/${deviceId}/door-lock/temp-password`,
      body: {
        name: `p${digits}`,
        ...(await sealed(deviceId, digits)),
        effective_time: nowS() - 60,
        invalid_time: nowS() + 3600,
        ...extra,
      },
    });
    expect(created.msg).toBeUndefined();
    return created.result.id;
  };
  const read = (deviceId: string, id: number) =>
    call<{ delivery_status: number; phase: number }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/temp-password/${id}`,
    });
  const settle = () => w.clock.advanceAsync(30_000);
  return { ...world, nowS, create, read, settle };
}

describe("issue-password: a Zigbee lock's passwords that did not reach it, sent again", () => {
  it("a password the lock did not answer is failed; issue-password sends it again and it succeeds; a second call within 60 s is refused", async () => {
    const { w, call, create, read, settle, zigbeeId, gateway, typeAtZigbee } = await start();
    gateway.misbehaviour.subDeviceSilentTries = 4;
    const id = await create(zigbeeId, "424242", { type: 0 });
    await settle();
    expect((await read(zigbeeId, id)).result).toMatchObject({ delivery_status: 3, phase: 5 });
    expect(await typeAtZigbee("424242")).toMatchObject({ kind: "refused" });

    gateway.misbehaviour.subDeviceSilentTries = 0;
    const path = `/v1.0/devices/${zigbeeId}/door-lock/issue-password`;
    const issued = await call<boolean>({ method: "POST", path, body: { password_id: "" } });
    expect(issued).toMatchObject({ success: true, result: true });
    lockEndpoints.issuePassword.response.parse(issued.result);
    await settle();
    expect((await read(zigbeeId, id)).result).toMatchObject({ delivery_status: 2, phase: 2 });
    expect(await typeAtZigbee("424242")).toMatchObject({ kind: "open", keyId: `T${id}` });

    const again = await call({ method: "POST", path, body: { password_id: id } });
    expect(again).toMatchObject({ success: false, code: 1106 });
    expect(again.msg).toMatch(/once per device within 60 s/);
    await w.clock.advanceAsync(ISSUE_PASSWORD_INTERVAL_MS);
    expect(await call({ method: "POST", path, body: { password_id: 999_999 } })).toMatchObject({
      success: false,
      code: 1000,
    });
  });

  it("is for Zigbee locks: a Wi-Fi lock answers 2004", async () => {
    const { call, wifiId } = await start();
    const answer = await call({ method: "POST", path: `/v1.0/devices/${wifiId}/door-lock/issue-password` });
    expect(answer).toMatchObject({ success: false, code: 2004 });
  });
});

describe("rest-password: a hotel lock's temporary passwords cleared", () => {
  it("deletes every live password at the lock: none opens it afterwards", async () => {
    const { w, call, create, read, settle, ids, gateway } = await start();
    const hotel = ids["zigbee-hotel"];
    const first = await create(hotel, "135791", { type: 0 });
    const second = await create(hotel, "246802", { type: 0 });
    await settle();
    expect((await read(hotel, first)).result.delivery_status).toBe(2);
    const cleared = await call<boolean>({
      method: "POST",
      path: `/v1.0/devices/${hotel}/door-lock/temp-passwords/rest-password`,
    });
    expect(cleared).toMatchObject({ success: true, result: true });
    await settle();
    for (const id of [first, second]) expect((await read(hotel, id)).result).toMatchObject({ phase: 4 });
    const keys = w.platform.store.get(hotel)?.resources[0]?.resourceSerial[0]?.resourceInfo ?? [];
    expect(keys.map((k) => k.KEY_ID)).not.toContain(`T${first}`);
    expect(gateway.deviceId).not.toBe(hotel);
  });
});

describe("stand-by-lock-temp-passwords: a keepalive lock's passwords, a page at a time", () => {
  it("lists records in the seed's shape, pages by last_row_key, and filters the valid ones", async () => {
    const { w, call, create, settle, ids, nowS } = await start();
    const lock = ids["keepalive-wifi"];
    const created = [await create(lock, "1112223"), await create(lock, "4445556")];
    const later = await create(lock, "7778889", {
      effective_time: nowS() + 7200,
      invalid_time: nowS() + 9000,
    });
    await settle();
    const path = `/v1.0/smart-lock/devices/${lock}/stand-by-lock-temp-passwords`;
    type Page = { has_more: boolean; last_row_key: string; records: Array<Record<string, unknown>> };
    const first = await call<Page>({ method: "GET", path, query: { page_size: 2, last_row_key: "" } });
    expect(first.msg).toBeUndefined();
    lockEndpoints.listStandByTempPasswords.response.parse(first.result);
    expect(first.result.has_more).toBe(true);
    expect(first.result.records.map((r) => r.password_id)).toEqual(created);
    expect(first.result.records[0]).toMatchObject({
      operate: "ADD",
      delivery_status: "SUCCESS",
      effective_flag: 1,
      gmt_create: expect.any(Number),
    });
    const second = await call<Page>({
      method: "GET",
      path,
      query: { page_size: 2, last_row_key: first.result.last_row_key },
    });
    expect(second.result).toMatchObject({ has_more: false });
    expect(second.result.records).toEqual([
      expect.objectContaining({ password_id: later, effective_flag: 2 }),
    ]);

    await call({ method: "DELETE", path: `/v1.0/devices/${lock}/door-lock/temp-passwords/${created[0]}` });
    await w.clock.advanceAsync(1_000);
    const valid = await call<Page>({ method: "GET", path, query: { valid: true } });
    expect(valid.result.records.map((r) => r.password_id)).toEqual([created[1], later]);
  });

  it("is for keepalive locks and access control devices: a Wi-Fi lock answers 2004", async () => {
    const { call, wifiId } = await start();
    const answer = await call({
      method: "GET",
      path: `/v1.0/smart-lock/devices/${wifiId}/stand-by-lock-temp-passwords`,
    });
    expect(answer).toMatchObject({ success: false, code: 2004 });
  });
});
