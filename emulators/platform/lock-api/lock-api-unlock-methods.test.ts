import { describe, expect, it, vi } from "vitest";
import { type LockEndpointId, lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { decryptTicketKey, encryptPassword } from "../../../harness/protocol/lock-api/password-crypto.ts";
import { ownerIdOf } from "./lock-users.ts";
import { type Envelope, lockWorldPerTest } from "./testing/lock-world.ts";

/**
 * Unlocking methods through the vendor's Node SDK: the lock's own keys, linking them with users, enrollment that
 * reaches the lock, deletion, and a duress flag that makes the lock raise its hijack alarm.
 */

const CLIENT_ID = "hilfarmlockclient004";
const SECRET = "a0b1c2d3e4f5061728394a5b6c7d8e9f";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  const { w, call } = world;
  const keyList = (deviceId: string) =>
    w.platform.store
      .get(deviceId)
      ?.resources.find((s) => s.serialId === "0")
      ?.resourceSerial.find((r) => r.resourceName === "KEY_LIST")?.resourceInfo ?? [];
  const events = (deviceId: string, name: string) =>
    (w.platform.store.get(deviceId)?.events ?? []).filter(
      (e) => e.kind === "event" && e.body.eventName === name,
    );
  const sealed = async (deviceId: string, digits: string) => {
    const ticket = await call<{ ticket_id: string; ticket_key: string }>({
      method: "POST",
      path: `/v1.0/devices/${deviceId}/door-lock/password-ticket`,
    });
    const key = decryptTicketKey(ticket.result.ticket_key, SECRET);
    if (!key.ok) throw key.error;
    return {
      password: encryptPassword(digits, key.value),
      password_type: "ticket",
      ticket_id: ticket.result.ticket_id,
    };
  };
  return { ...world, keyList, events, sealed };
}

function served<T>(id: LockEndpointId, answer: Envelope<T>): T {
  expect(answer, `${id}: ${answer.msg}`).toMatchObject({ success: true });
  lockEndpoints[id].response.parse(answer.result);
  return answer.result;
}

function refused(answer: Envelope<unknown>, code: number): void {
  expect(answer, JSON.stringify(answer)).toMatchObject({ success: false, code });
}

type Keys = { unlock_keys: Array<{ unlock_no: number; unlock_type: string; hijack?: boolean }> };

describe("unlocking methods through the lock API", () => {
  it("links the lock's own key with a device user, enrolls a password that opens the lock, and deletes it", async () => {
    const { w, call, wifiId, keyList, sealed } = await start();
    const door = `/v1.0/devices/${wifiId}/door-lock`;
    const owner = ownerIdOf(wifiId);
    const unassigned = async (query: object = {}) =>
      served(
        "listUnassignedKeys",
        await call<Keys>({ method: "GET", path: `${door}/unassigned-keys`, query }),
      );
    const assigned = async (type: 1 | 2, userId: string, query: object = {}) =>
      served(
        "listAssignedKeys",
        await call<Keys>({
          method: "GET",
          path: `${door}/user-types/${type}/users/${userId}/assigned-keys`,
          query,
        }),
      );
    // The lock profile's owner fingerprint, KEY_ID 1 KEY_TYPE 1, is not yet linked with anyone.
    expect(await unassigned()).toEqual({ unlock_keys: [{ unlock_no: 1, unlock_type: "fingerprint" }] });
    expect(await unassigned({ unlock_type: "card" })).toEqual({ unlock_keys: [] });

    const user = (
      await call<{ user_id: string }>({
        method: "POST",
        path: `/v1.0/devices/${wifiId}/user`,
        body: { nick_name: "nanny", sex: 2 },
      })
    ).result.user_id;
    expect(
      served(
        "allocateDeviceUserPassword",
        await call({
          method: "POST",
          path: `/v1.0/devices/${wifiId}/device-lock/users/${user}/allocate`,
          body: { no: "1", type: "fingerprint" },
        }),
      ),
    ).toBe(true);
    expect(await assigned(2, user)).toEqual({
      unlock_keys: [{ unlock_no: 1, unlock_type: "fingerprint", hijack: false }],
    });
    expect(await unassigned()).toEqual({ unlock_keys: [] });

    // The owner enrolls a password: the lock records it as key 2 and it opens the lock.
    expect(
      served(
        "enrollUnlockMethod",
        await call({
          method: "PUT",
          path: `${door}/actions/entry`,
          body: {
            user_id: owner,
            user_type: 1,
            unlock_type: "password",
            ...(await sealed(wifiId, "2468013")),
          },
        }),
      ),
    ).toBe(true);
    await w.clock.runUntil(() => keyList(wifiId).some((k) => k.KEY_ID === "2"));
    expect(keyList(wifiId).find((k) => k.KEY_ID === "2")).toMatchObject({
      KEY_TYPE: "2",
      KEY_CODE: "2468013",
    });
    await w.clock.advanceAsync(100);
    expect(await assigned(1, owner, { unlock_type: "password" })).toEqual({
      unlock_keys: [{ unlock_no: 2, unlock_type: "password", hijack: false }],
    });
    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("2468013"))).toMatchObject({
      kind: "open",
      keyId: "2",
    });

    // Deleting it needs the right user; then the lock drops it and the code no longer opens.
    refused(
      await call({
        method: "DELETE",
        path: `${door}/user-types/2/users/${user}/unlock-types/password/keys/2`,
      }),
      1000,
    );
    expect(
      served(
        "deleteUnlockMethod",
        await call({
          method: "DELETE",
          path: `${door}/user-types/1/users/${owner}/unlock-types/password/keys/2`,
        }),
      ),
    ).toBe(true);
    await w.clock.runUntil(() => !keyList(wifiId).some((k) => k.KEY_ID === "2"));
    expect(await assigned(1, owner)).toEqual({ unlock_keys: [] });
    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("2468013"))).toMatchObject({
      kind: "refused",
    });
  });

  it("a key set to duress raises the hijack alarm when used, and no longer once the flag is deleted", async () => {
    const { w, call, wifiId, keyList, events, sealed } = await start();
    const door = `/v1.0/devices/${wifiId}/door-lock`;
    const owner = ownerIdOf(wifiId);
    await call({
      method: "PUT",
      path: `${door}/actions/entry`,
      body: { user_id: owner, user_type: 1, unlock_type: "password", ...(await sealed(wifiId, "1357924")) },
    });
    await w.clock.runUntil(() => keyList(wifiId).some((k) => k.KEY_ID === "2"));
    expect(
      served(
        "setUnlockMethodHijack",
        await call({ method: "PUT", path: `${door}/unlock-types/password/keys/2/hijack` }),
      ),
    ).toBe(true);
    await w.clock.runUntil(() => keyList(wifiId).some((k) => k.KEY_ID === "2" && k.HIJACK === "1"));
    const listed = await call<Keys>({
      method: "GET",
      path: `${door}/user-types/1/users/${owner}/assigned-keys`,
    });
    expect(listed.result.unlock_keys).toEqual([{ unlock_no: 2, unlock_type: "password", hijack: true }]);

    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("1357924"))).toMatchObject({
      kind: "open",
      hijack: true,
    });
    await w.clock.runUntil(() => events(wifiId, "HIJACK").length === 1);
    const alarms = await call<{ records: Array<{ status: { code: string } }> }>({
      method: "GET",
      path: `${door}/alarm-logs`,
      query: { page_no: 1, page_size: 10 },
    });
    expect(alarms.result.records.map((l) => l.status.code)).toEqual(["hijack"]);

    expect(
      served(
        "deleteUnlockMethodHijack",
        await call({
          method: "DELETE",
          path: `/v1.0/smart-lock/devices/${wifiId}/unlock-types/unlock_password/keys/2/hijack`,
        }),
      ),
    ).toBe(true);
    await w.clock.runUntil(() => keyList(wifiId).some((k) => k.KEY_ID === "2" && k.HIJACK === "0"));
    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("1357924"))).toMatchObject({
      kind: "open",
      hijack: false,
    });
    await w.clock.advanceAsync(1_000);
    expect(events(wifiId, "HIJACK")).toHaveLength(1);
  });

  it("a Zigbee lock: enrollment through the gateway; one cancelled before the lock answered is withdrawn", async () => {
    const { w, call, zigbeeId, gateway, keyList } = await start();
    const door = `/v1.0/devices/${zigbeeId}/door-lock`;
    const user = (
      await call<{ user_id: string }>({
        method: "POST",
        path: `/v1.0/devices/${zigbeeId}/user`,
        body: { nick_name: "gardener", sex: 1 },
      })
    ).result.user_id;
    const enroll = (type: string) =>
      call({
        method: "PUT",
        path: `${door}/actions/entry`,
        body: { user_id: user, user_type: 2, unlock_type: type },
      });
    served("enrollUnlockMethod", await enroll("fingerprint"));
    await w.clock.runUntil(() => keyList(zigbeeId).some((k) => k.KEY_ID === "2"));
    await w.clock.advanceAsync(100);
    const assigned = () =>
      call<Keys>({ method: "GET", path: `${door}/user-types/2/users/${user}/assigned-keys` });
    expect((await assigned()).result.unlock_keys).toEqual([
      { unlock_no: 2, unlock_type: "fingerprint", hijack: false },
    ]);

    // The lock answers on the third radio try (4 s): the card enrollment is still under way when it is cancelled.
    gateway.misbehaviour.subDeviceSilentTries = 2;
    served("enrollUnlockMethod", await enroll("card"));
    refused(await enroll("card"), 1109);
    expect(
      served(
        "cancelUnlockMethodEnrollment",
        await call({ method: "PUT", path: `${door}/unlock-types/card/actions/cancel` }),
      ),
    ).toBe(true);
    refused(await call({ method: "PUT", path: `${door}/unlock-types/card/actions/cancel` }), 1000);
    gateway.misbehaviour.subDeviceSilentTries = 0;
    // The lock records the card as key 3 (its report, 2028, adds it), and the platform then withdraws it.
    const reported: string[] = [];
    const apply = w.platform.store.applyResourceChange.bind(w.platform.store);
    vi.spyOn(w.platform.store, "applyResourceChange").mockImplementation((deviceId, serials) => {
      for (const serial of serials)
        for (const r of serial.resourceSerial)
          for (const k of r.resourceInfo) reported.push(`${k.MODE}:${k.KEY_ID}`);
      return apply(deviceId, serials);
    });
    await w.clock.runUntil(() => reported.includes("3:3"));
    expect(reported).toEqual(["1:3", "3:3"]);
    expect(keyList(zigbeeId).map((k) => k.KEY_ID)).toEqual(["1", "2"]);
    expect((await assigned()).result.unlock_keys.map((k) => k.unlock_no)).toEqual([2]);

    // Voice and photo attributes are for Wi-Fi locks only.
    refused(
      await call({
        method: "POST",
        path: `/v1.0/smart-lock/devices/${zigbeeId}/opmodes/2/attribute/2/opmode-attr`,
        body: { enabled: true },
      }),
      2004,
    );
  });
});
