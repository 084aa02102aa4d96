import { describe, expect, it } from "vitest";
import { lockEndpoints, matchLockEndpoint } from "../../../harness/protocol/lock-api/endpoints.ts";
import { memberIdOf, ownerIdOf } from "./lock-users.ts";
import { refused, served, setAtPanel } from "./testing/lock-users.ts";
import { byLockType, type Request } from "./testing/lock-users-requests.ts";
import { lockWorldPerTest } from "./testing/lock-world.ts";

/** Device users, the owner, and the user endpoints of other lock types, through the vendor's Node SDK. */

const CLIENT_ID = "hilfarmlockclient003";
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

describe("device users through the lock API", () => {
  it("adds, reads, lists, modifies and deletes device users of a Wi-Fi and a Zigbee lock", async () => {
    const { call, wifiId, zigbeeId } = await start();
    for (const deviceId of [wifiId, zigbeeId]) {
      const base = `/v1.0/devices/${deviceId}`;
      const added = served(
        "addDeviceUser",
        await call<{ user_id: string }>({
          method: "POST",
          path: `${base}/user`,
          body: { nick_name: "grandma", sex: 2, birthday: 19_450_101, contact: "+15550100" },
        }),
      );
      expect(added.user_id).toBe(`${deviceId}-u3`);
      const second = served(
        "addDeviceUser",
        await call<{ user_id: string }>({
          method: "POST",
          path: `${base}/user`,
          body: { nickName: "kid", sex: 1 },
        }),
      );
      expect(second.user_id).toBe(`${deviceId}-u4`);

      expect(
        served("getDeviceUser", await call({ method: "GET", path: `${base}/users/${added.user_id}` })),
      ).toEqual({
        user_id: added.user_id,
        device_id: deviceId,
        nick_name: "grandma",
        sex: 2,
        birthday: 19_450_101,
        contact: "+15550100",
      });
      expect(
        served(
          "modifyDeviceUser",
          await call({
            method: "PUT",
            path: `${base}/users/${added.user_id}`,
            body: { nick_name: "granny", sex: 2, height: 160, weight: 60_000 },
          }),
        ),
      ).toBe(true);
      const listed = served(
        "listDeviceUsers",
        await call<Array<{ user_id: string; nick_name: string; height?: number }>>({
          method: "GET",
          path: `${base}/users`,
        }),
      );
      expect(listed.map((u) => [u.user_id, u.nick_name, u.height])).toEqual([
        [added.user_id, "granny", 160],
        [second.user_id, "kid", undefined],
      ]);
      expect(
        served("deleteDeviceUser", await call({ method: "DELETE", path: `${base}/users/${added.user_id}` })),
      ).toBe(true);
      refused(await call({ method: "GET", path: `${base}/users/${added.user_id}` }), 1000);
      expect(
        served("listDeviceUsers", await call<unknown[]>({ method: "GET", path: `${base}/users` })),
      ).toHaveLength(1);
    }
  });

  it("refuses an unknown device (2010), an unknown user (1000), the owner (1106) and bad parameters (1109)", async () => {
    const { call, wifiId } = await start();
    const base = `/v1.0/devices/${wifiId}`;
    refused(
      await call({ method: "POST", path: "/v1.0/devices/nope/user", body: { nick_name: "a", sex: 1 } }),
      2010,
    );
    refused(await call({ method: "GET", path: "/v1.0/devices/nope/users" }), 2010);
    refused(await call({ method: "GET", path: "/v1.0/devices/nope/users/x" }), 2010);
    refused(await call({ method: "DELETE", path: "/v1.0/devices/nope/users/x" }), 2010);
    refused(
      await call({ method: "PUT", path: "/v1.0/devices/nope/users/x", body: { nick_name: "a", sex: 1 } }),
      2010,
    );
    refused(await call({ method: "GET", path: `${base}/users/${wifiId}-u9` }), 1000);
    refused(await call({ method: "DELETE", path: `${base}/users/${wifiId}-u9` }), 1000);
    refused(
      await call({ method: "PUT", path: `${base}/users/${wifiId}-u9`, body: { nick_name: "a", sex: 1 } }),
      1000,
    );
    // seed line 3588: administrators cannot be queried; the owner is the lock's administrator.
    refused(await call({ method: "GET", path: `${base}/users/${ownerIdOf(wifiId)}` }), 1106);
    refused(await call({ method: "DELETE", path: `${base}/users/${ownerIdOf(wifiId)}` }), 1106);
    refused(await call({ method: "POST", path: `${base}/user`, body: { nick_name: "a", sex: 3 } }), 1109);
    refused(await call({ method: "POST", path: `${base}/user`, body: { nick_name: "", sex: 1 } }), 1109);
    refused(await call({ method: "POST", path: `${base}/user`, body: { sex: 1 } }), 1109);
    expect(
      served("listDeviceUsers", await call<unknown[]>({ method: "GET", path: `${base}/users` })),
    ).toEqual([]);
  });

  it("serves each endpoint of the other lock types on a lock it applies to, and answers 2004 on one it does not", async () => {
    const world = await start();
    const { call, ids } = world;
    // A record of the access control device no user is known for: a code set at its panel, typed at its keypad.
    const acs = ids["wifi-access-control"];
    setAtPanel(world, "access-control", "7", "8642097");
    expect(
      await world.w.clock.runUntilSettled(world.w.device("access-control").typeCode("8642097")),
    ).toMatchObject({
      kind: "open",
    });
    await world.w.clock.advanceAsync(1_000);
    const page = await call<{ records: Array<{ record_id: string }> }>(
      byLockType[11]?.[3](acs, "", "") as Request,
    );
    const recordId = page.result.records[0]?.record_id ?? "";
    for (const [id, applies, other, request] of byLockType) {
      expect(lockEndpoints[id].lockTypes).toContain(applies);
      expect(lockEndpoints[id].lockTypes).not.toContain(other);
      const yes = request(ids[applies], memberIdOf(ids[applies]), recordId);
      expect(matchLockEndpoint(yes.method, yes.path)?.entry.id).toBe(id);
      served(id, await call(yes));
      refused(await call(request(ids[other], memberIdOf(ids[other]), recordId)), 2004);
    }
    refused(await call(byLockType[0]?.[3]("nope", "x", "r") as Request), 2010);
  });

  it("lists the access control device for its owner's account; a Wi-Fi lock's owner has none of its type", async () => {
    const { call, wifiId, ids } = await start();
    const acs = ids["wifi-access-control"];
    const devices = (uid: string) =>
      call<{ total: number; records: Array<{ id: string; uid: string; owner_id: string; sub: boolean }> }>({
        method: "GET",
        path: `/v1.0/smart-lock/users/${uid}/devices`,
        query: { page_no: 1, page_size: 10 },
      });
    const page = served("listUserDevices", await devices(ownerIdOf(acs)));
    expect(page).toMatchObject({ has_more: false, total: 1, total_pages: 1 });
    expect(page.records).toEqual([
      expect.objectContaining({
        id: acs,
        uid: ownerIdOf(acs),
        owner_id: ownerIdOf(acs),
        sub: false,
        online: true,
      }),
    ]);
    expect(served("listUserDevices", await devices(memberIdOf(acs))).records.map((d) => d.owner_id)).toEqual([
      ownerIdOf(acs),
    ]);
    expect(served("listUserDevices", await devices(ownerIdOf(wifiId)))).toEqual({
      has_more: false,
      total: 0,
      total_pages: 0,
      records: [],
    });
    refused(
      await call({ method: "GET", path: "/v1.0/smart-lock/users/nobody/devices", query: { page_no: 1 } }),
      1000,
    );
    refused(await call({ method: "GET", path: `/v1.0/smart-lock/users/${ownerIdOf(acs)}/devices` }), 1109);
  });
});
