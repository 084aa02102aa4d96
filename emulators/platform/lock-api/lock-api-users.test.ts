import { afterEach, describe, expect, it } from "vitest";
import {
  type LockEndpointId,
  lockEndpoints,
  matchLockEndpoint,
} from "../../../harness/protocol/lock-api/endpoints.ts";
import { ownerIdOf } from "./lock-users.ts";
import { type Envelope, type LockWorld, startLockWorld } from "./testing/lock-world.ts";

/** Device users, the owner, and the user endpoints of other lock types, through the vendor's Node SDK. */

const CLIENT_ID = "hilfarmlockclient003";
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

let world: LockWorld | undefined;
afterEach(async () => {
  await world?.w.close();
  world = undefined;
});

async function start() {
  world = await startLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

/** A success whose `result` satisfies the catalogue entry's `response` schema; the result. */
function served<T>(id: LockEndpointId, answer: Envelope<T>): T {
  expect(answer, `${id}: ${answer.msg}`).toMatchObject({ success: true });
  lockEndpoints[id].response.parse(answer.result);
  return answer.result;
}

function refused(answer: Envelope<unknown>, code: number): void {
  expect(answer, JSON.stringify(answer)).toMatchObject({ success: false, code });
}

type Request = { method: "GET" | "POST" | "PUT" | "DELETE"; path: string; query?: object; body?: object };

/** A valid request of each endpoint that applies to neither Wi-Fi nor Zigbee locks. */
const otherTypes = (d: string, u: string): Array<[LockEndpointId, Request]> => [
  [
    "updateDeviceUserRole",
    { method: "PUT", path: `/v1.0/smart-lock/devices/${d}/users/${u}/actions/role`, body: { role: "admin" } },
  ],
  ["getDeviceUserV11", { method: "GET", path: `/v1.1/devices/${d}/users/${u}` }],
  [
    "listDeviceUsersV11",
    {
      method: "GET",
      path: `/v1.1/devices/${d}/users`,
      query: { keyword: "", role: "", page_no: 1, page_size: 10 },
    },
  ],
  [
    "listHomeUsers",
    {
      method: "GET",
      path: `/v1.0/smart-lock/devices/${d}/users`,
      query: { codes: "unlock_fingerprint", page_no: 1, page_size: 10 },
    },
  ],
  [
    "updateHomeUserSchedule",
    { method: "PUT", path: `/v1.0/smart-lock/devices/${d}/users/${u}/schedule`, body: { permanent: true } },
  ],
  ["listAbsentUsers", { method: "GET", path: `/v1.0/devices/${d}/door-lock/absent-users` }],
  [
    "deleteUsersIssue",
    { method: "POST", path: `/v1.0/smart-lock/devices/${d}/users/${u}/actions/delete-users-issue` },
  ],
  [
    "allocateOpmodes",
    {
      method: "POST",
      path: `/v1.0/devices/${d}/door-lock/opmodes/actions/allocate`,
      body: { user_id: u, unlock_list: [{ dp_code: "unlock_card", unlock_sn: 1 }] },
    },
  ],
  [
    "syncOpmodes",
    {
      method: "POST",
      path: `/v1.0/smart-lock/devices/${d}/opmodes/actions/sync`,
      body: { codes: "unlock_card" },
    },
  ],
  [
    "renameOpmode",
    {
      method: "PUT",
      path: `/v1.0/devices/${d}/door-lock/opmodes/1`,
      body: { dp_code: "unlock_card", unlock_name: "hall card" },
    },
  ],
  [
    "listUserOpmodes",
    {
      method: "GET",
      path: `/v1.0/smart-lock/devices/${d}/opmodes/${u}`,
      query: { codes: "", unlock_name: "", page_no: 1, page_size: 10 },
    },
  ],
  [
    "listRecords",
    {
      method: "GET",
      path: `/v1.0/devices/${d}/door-lock/records`,
      query: {
        target_standard_dp_codes: "unlock_card",
        start_time: 0,
        end_time: 1,
        page_no: 1,
        page_size: 10,
      },
    },
  ],
  [
    "allocateRecord",
    {
      method: "POST",
      path: `/v1.0/devices/${d}/door-lock/records/r1/actions/allocate`,
      body: { user_id: u },
    },
  ],
];

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
      expect(added.user_id).toBe(`${deviceId}-u2`);
      const second = served(
        "addDeviceUser",
        await call<{ user_id: string }>({
          method: "POST",
          path: `${base}/user`,
          body: { nickName: "kid", sex: 1 },
        }),
      );
      expect(second.user_id).toBe(`${deviceId}-u3`);

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

  it("answers 2004 to the user endpoints of other lock types on both locks, 2010 to an unknown device", async () => {
    const { call, wifiId, zigbeeId } = await start();
    for (const deviceId of [wifiId, zigbeeId, "nope"])
      for (const [id, request] of otherTypes(deviceId, ownerIdOf(deviceId))) {
        expect(matchLockEndpoint(request.method, request.path)?.entry.id).toBe(id);
        const answer = await call<unknown>(request);
        expect(answer.msg ?? "", id).not.toContain("expected");
        refused(answer, deviceId === "nope" ? 2010 : 2004);
      }
  });

  it("the owner's account is linked with its lock; a lock of these types lists no access control device", async () => {
    const { call, wifiId } = await start();
    const page = served(
      "listUserDevices",
      await call<{ total: number; records: unknown[] }>({
        method: "GET",
        path: `/v1.0/smart-lock/users/${ownerIdOf(wifiId)}/devices`,
        query: { page_no: 1, page_size: 10 },
      }),
    );
    expect(page).toEqual({ has_more: false, total: 0, total_pages: 0, records: [] });
    refused(
      await call({ method: "GET", path: "/v1.0/smart-lock/users/nobody/devices", query: { page_no: 1 } }),
      1000,
    );
    refused(await call({ method: "GET", path: `/v1.0/smart-lock/users/${ownerIdOf(wifiId)}/devices` }), 1109);
  });
});
